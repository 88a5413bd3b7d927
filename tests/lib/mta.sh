# A real mail server for tests (bash, sourced after lib.sh; needs root): Debian's Postfix,
# run as an instance of its own under $T/mta (config, queue, log), listening on loopback
# ports only, delivering every address of the domain example.com into maildirs under
# $T/mta/mail/LOCALPART/. OpenSMTPD 6.8 of Debian 12 cannot do TLS with OpenSSL 3, so it is
# Postfix. Three listeners:
#   MTA_PORT      plain SMTP, no authentication
#   MTA_TLS_PORT  STARTTLS (a self-signed certificate made here: $MTA_CA) and SMTP AUTH
#                 (PLAIN, LOGIN) of user $MTA_USER with password $MTA_PASSWORD, after TLS only
#   MTA_SMTPS_PORT  the same with TLS from the start (smtps://, "implicit TLS")
# MTA_MAILBOXES (set before start_mta): more local parts with a mailbox, besides root, alice,
# bob, carol, nobody and daemon.
# start_mta sets them and MTA_PID; stop_mta ends the instance.

MTA_USER=bot
MTA_PASSWORD=s3cret-mta-pw

start_mta() {
	local d=$T/mta u
	need_root
	command -v postfix >/dev/null || { echo "SKIP: postfix is not installed (make deps)"; exit 77; }
	mkdir -p "$d/etc/sasl" "$d/spool" "$d/data" "$d/mail"
	# Postfix's processes run as postfix and nobody: they must reach their files.
	chmod 755 "$T" "$d" "$d/mail"
	chown postfix "$d/data"
	chown nobody "$d/mail"
	MTA_PORT=$(free_port)
	MTA_TLS_PORT=$(free_port)
	while [ "$MTA_TLS_PORT" = "$MTA_PORT" ]; do MTA_TLS_PORT=$(free_port); done
	MTA_SMTPS_PORT=$(free_port)
	while [ "$MTA_SMTPS_PORT" = "$MTA_PORT" ] || [ "$MTA_SMTPS_PORT" = "$MTA_TLS_PORT" ]; do
		MTA_SMTPS_PORT=$(free_port)
	done
	MTA_CA=$d/cert.pem
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$d/key.pem" -out "$MTA_CA" -days 2 -subj /CN=localhost \
		-addext subjectAltName=DNS:localhost,IP:127.0.0.1 2>/dev/null
	chmod 600 "$d/key.pem"
	echo "$MTA_PASSWORD" | saslpasswd2 -p -c -f "$d/sasldb2" -u mta.test "$MTA_USER"
	chown postfix "$d/sasldb2"
	# Debian's Postfix reads its SASL settings from the config directory's sasl/.
	cat >"$d/etc/sasl/smtpd.conf" <<EOF
pwcheck_method: auxprop
auxprop_plugin: sasldb
sasldb_path: $d/sasldb2
mech_list: PLAIN LOGIN
EOF
	cat >"$d/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $d/spool
data_directory = $d/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mta.test
mydomain = mta.test
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
maillog_file = /dev/stdout
smtpd_banner = \$myhostname ESMTP
smtputf8_enable = no
virtual_mailbox_domains = example.com
virtual_mailbox_base = $d/mail
virtual_mailbox_maps = texthash:$d/vmailbox
virtual_uid_maps = static:$(id -u nobody)
virtual_gid_maps = static:$(id -g nobody)
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
smtpd_tls_cert_file = $MTA_CA
smtpd_tls_key_file = $d/key.pem
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
smtpd_sasl_local_domain = mta.test
smtpd_sasl_security_options = noanonymous
EOF
	# Every local part of example.com a test uses has its maildir (trailing /).
	for u in root alice bob carol nobody daemon ${MTA_MAILBOXES:-}; do echo "$u@example.com $u/"; done >"$d/vmailbox"
	cat >"$d/etc/master.cf" <<EOF
127.0.0.1:$MTA_PORT inet n - n - - smtpd
127.0.0.1:$MTA_TLS_PORT inet n - n - - smtpd
  -o smtpd_tls_security_level=may
  -o smtpd_tls_auth_only=yes
  -o smtpd_sasl_auth_enable=yes
127.0.0.1:$MTA_SMTPS_PORT inet n - n - - smtpd
  -o smtpd_tls_wrappermode=yes
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
pickup unix n - n 60 1 pickup
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
tlsmgr unix - - n 1000? 1 tlsmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
smtp unix - - n - - smtp
relay unix - - n - - smtp
showq unix n - n - - showq
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
local unix - n n - - local
virtual unix - n n - - virtual
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
EOF
	postfix -c "$d/etc" set-permissions >/dev/null 2>&1 || true
	postfix -c "$d/etc" check >>"$d/start.log" 2>&1 || fail "postfix check failed: $(cat "$d/start.log")"
	${MTA_WRAP:-} postfix -c "$d/etc" start-fg >>"$d/maillog" 2>&1 &
	MTA_PID=$!
	PIDS+=("$MTA_PID")
	wait_for "port_open $MTA_PORT && port_open $MTA_TLS_PORT && port_open $MTA_SMTPS_PORT" 30
	# The master process, stopped by its PID should the test end early.
	PIDS+=("$(tr -d ' ' <"$d/spool/pid/master.pid")")
}

stop_mta() {
	postfix -c "$T/mta/etc" stop >/dev/null 2>&1 || true
	kill -TERM "$MTA_PID" 2>/dev/null || true
	wait "$MTA_PID" 2>/dev/null || true
	wait_for "! port_open $MTA_PORT" 10
}

# The files delivered to a local part of example.com, oldest first.
mta_mail() {
	ls -tr "$T/mta/mail/$1/new/" 2>/dev/null | sed "s|^|$T/mta/mail/$1/new/|"
}
