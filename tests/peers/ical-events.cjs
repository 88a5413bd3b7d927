// Parses an iCalendar file with ical.js (the parser of Thunderbird's calendar) and prints its
// events as JSON lines: uid, summary, description, start and end (ISO 8601 UTC), dtstamp.
// Exits 1 with the parser's message if the file does not parse as one VCALENDAR.
'use strict';
const fs = require('fs');
const ICAL = require('ical.js');

const text = fs.readFileSync(process.argv[2], 'utf8');
let cal;
try {
	cal = new ICAL.Component(ICAL.parse(text));
} catch (e) {
	console.error('ical.js: ' + e.message);
	process.exit(1);
}
if (cal.name !== 'vcalendar') {
	console.error('ical.js: not a VCALENDAR: ' + cal.name);
	process.exit(1);
}
console.log(JSON.stringify({ version: cal.getFirstPropertyValue('version'),
	prodid: cal.getFirstPropertyValue('prodid') }));
for (const c of cal.getAllSubcomponents('vevent')) {
	const ev = new ICAL.Event(c);
	console.log(JSON.stringify({
		uid: ev.uid,
		summary: ev.summary,
		description: ev.description,
		start: ev.startDate.toJSDate().toISOString(),
		end: ev.endDate.toJSDate().toISOString(),
		utc: ev.startDate.zone === ICAL.Timezone.utcTimezone &&
		    ev.endDate.zone === ICAL.Timezone.utcTimezone,
		dtstamp: c.getFirstPropertyValue('dtstamp').toString(),
	}));
}
