/* SPDX-License-Identifier: ISC */
/*
 * libgit2, loaded on first use (see dl.h): only the daemon's prompt repository needs it;
 * linked in, it and its dependencies (libssh2, Kerberos, mbed TLS) would add over 1 MiB to
 * every console. Include this instead of <git2.h> and call git_dl_load() before the first
 * git function.
 */
#ifndef GIT_DL_H
#define GIT_DL_H

#include <git2.h>

/* Every libgit2 function the daemon and the simulator call, without the git_ prefix. */
#define GIT_DL_FUNCTIONS \
	X(blob_create_from_buffer) \
	X(blob_free) \
	X(blob_lookup) \
	X(blob_rawcontent) \
	X(blob_rawsize) \
	X(buf_dispose) \
	X(commit_create) \
	X(commit_create_buffer) \
	X(commit_create_with_signature) \
	X(commit_extract_signature) \
	X(commit_free) \
	X(commit_id) \
	X(commit_lookup) \
	X(commit_time) \
	X(commit_tree) \
	X(diff_free) \
	X(diff_options_init) \
	X(diff_to_buf) \
	X(diff_tree_to_tree) \
	X(error_last) \
	X(fetch_options_init) \
	X(graph_descendant_of) \
	X(index_free) \
	X(index_has_conflicts) \
	X(index_write_tree_to) \
	X(libgit2_init) \
	X(libgit2_opts) \
	X(merge_base) \
	X(merge_trees) \
	X(message_trailer_array_free) \
	X(message_trailers) \
	X(object_free) \
	X(object_id) \
	X(object_lookup) \
	X(object_peel) \
	X(object_type) \
	X(oid_cpy) \
	X(oid_equal) \
	X(oid_fromstr) \
	X(oid_tostr) \
	X(odb_free) \
	X(odb_hash) \
	X(odb_object_data) \
	X(odb_object_free) \
	X(odb_object_size) \
	X(odb_object_type) \
	X(odb_read) \
	X(odb_write) \
	X(push_options_init) \
	X(reference_create) \
	X(reference_create_matching) \
	X(reference_free) \
	X(reference_iterator_free) \
	X(reference_iterator_glob_new) \
	X(reference_lookup) \
	X(reference_name) \
	X(reference_name_to_id) \
	X(reference_next) \
	X(reference_peel) \
	X(reference_remove) \
	X(reference_symbolic_create) \
	X(reference_symbolic_target) \
	X(reference_target) \
	X(remote_create_options_init) \
	X(remote_connect) \
	X(remote_create_with_opts) \
	X(remote_disconnect) \
	X(remote_fetch) \
	X(remote_free) \
	X(remote_ls) \
	X(remote_upload) \
	X(repository_free) \
	X(repository_init) \
	X(repository_odb) \
	X(repository_open) \
	X(repository_path) \
	X(repository_set_head) \
	X(signature_free) \
	X(signature_now) \
	X(tag_create) \
	X(tag_create_from_buffer) \
	X(tag_free) \
	X(tag_lookup) \
	X(tag_message) \
	X(tag_name) \
	X(tag_peel) \
	X(tag_tagger) \
	X(tree_create_updated) \
	X(tree_entry_byindex) \
	X(tree_entry_bypath) \
	X(tree_entry_free) \
	X(tree_entry_id) \
	X(tree_entry_name) \
	X(tree_entry_type) \
	X(tree_entrycount) \
	X(tree_free) \
	X(tree_id) \
	X(tree_lookup) \
	X(treebuilder_free) \
	X(treebuilder_insert) \
	X(treebuilder_new) \
	X(treebuilder_write)

/* The prototypes come from git2.h: the table cannot drift from the library's API. */
struct git_dl {
#define X(f)	__typeof__(&git_ ## f) f;
	GIT_DL_FUNCTIONS
#undef X
};

extern struct git_dl git_dl;

/* Loads libgit2 and initialises it once (thread-safe); returns 0, or -1 with *cause. */
int	git_dl_load(char **cause);
/* libgit2's last error after what failed, as a new string: "what: message". */
char	*git_dl_cause(const char *what);

#define git_blob_create_from_buffer	(git_dl.blob_create_from_buffer)
#define git_blob_free			(git_dl.blob_free)
#define git_blob_lookup			(git_dl.blob_lookup)
#define git_blob_rawcontent		(git_dl.blob_rawcontent)
#define git_blob_rawsize			(git_dl.blob_rawsize)
#define git_buf_dispose			(git_dl.buf_dispose)
#define git_commit_create		(git_dl.commit_create)
#define git_commit_create_buffer	(git_dl.commit_create_buffer)
#define git_commit_time			(git_dl.commit_time)
#define git_commit_create_with_signature (git_dl.commit_create_with_signature)
#define git_commit_extract_signature	(git_dl.commit_extract_signature)
#define git_commit_free			(git_dl.commit_free)
#define git_commit_id			(git_dl.commit_id)
#define git_commit_lookup		(git_dl.commit_lookup)
#define git_commit_tree			(git_dl.commit_tree)
#define git_diff_free			(git_dl.diff_free)
#define git_diff_options_init		(git_dl.diff_options_init)
#define git_diff_to_buf			(git_dl.diff_to_buf)
#define git_diff_tree_to_tree		(git_dl.diff_tree_to_tree)
#define git_error_last			(git_dl.error_last)
#define git_fetch_options_init		(git_dl.fetch_options_init)
#define git_graph_descendant_of		(git_dl.graph_descendant_of)
#define git_index_free			(git_dl.index_free)
#define git_index_has_conflicts		(git_dl.index_has_conflicts)
#define git_index_write_tree_to		(git_dl.index_write_tree_to)
#define git_libgit2_init			(git_dl.libgit2_init)
#define git_libgit2_opts			(git_dl.libgit2_opts)
#define git_merge_base			(git_dl.merge_base)
#define git_merge_trees			(git_dl.merge_trees)
#define git_message_trailer_array_free	(git_dl.message_trailer_array_free)
#define git_message_trailers		(git_dl.message_trailers)
#define git_object_free			(git_dl.object_free)
#define git_object_id			(git_dl.object_id)
#define git_object_lookup		(git_dl.object_lookup)
#define git_object_peel			(git_dl.object_peel)
#define git_object_type			(git_dl.object_type)
#define git_oid_cpy			(git_dl.oid_cpy)
#define git_oid_equal			(git_dl.oid_equal)
#define git_oid_fromstr			(git_dl.oid_fromstr)
#define git_oid_tostr			(git_dl.oid_tostr)
#define git_odb_free			(git_dl.odb_free)
#define git_odb_hash			(git_dl.odb_hash)
#define git_odb_object_data	(git_dl.odb_object_data)
#define git_odb_object_free	(git_dl.odb_object_free)
#define git_odb_object_size	(git_dl.odb_object_size)
#define git_odb_object_type	(git_dl.odb_object_type)
#define git_odb_read			(git_dl.odb_read)
#define git_odb_write			(git_dl.odb_write)
#define git_push_options_init		(git_dl.push_options_init)
#define git_reference_create		(git_dl.reference_create)
#define git_reference_create_matching	(git_dl.reference_create_matching)
#define git_reference_free		(git_dl.reference_free)
#define git_reference_iterator_free	(git_dl.reference_iterator_free)
#define git_reference_iterator_glob_new	(git_dl.reference_iterator_glob_new)
#define git_reference_lookup		(git_dl.reference_lookup)
#define git_reference_name		(git_dl.reference_name)
#define git_reference_name_to_id		(git_dl.reference_name_to_id)
#define git_reference_next		(git_dl.reference_next)
#define git_reference_peel		(git_dl.reference_peel)
#define git_reference_remove		(git_dl.reference_remove)
#define git_reference_symbolic_create	(git_dl.reference_symbolic_create)
#define git_reference_symbolic_target	(git_dl.reference_symbolic_target)
#define git_reference_target		(git_dl.reference_target)
#define git_remote_create_options_init	(git_dl.remote_create_options_init)
#define git_remote_connect		(git_dl.remote_connect)
#define git_remote_create_with_opts	(git_dl.remote_create_with_opts)
#define git_remote_disconnect		(git_dl.remote_disconnect)
#define git_remote_fetch			(git_dl.remote_fetch)
#define git_remote_free			(git_dl.remote_free)
#define git_remote_ls			(git_dl.remote_ls)
#define git_remote_upload		(git_dl.remote_upload)
#define git_repository_free		(git_dl.repository_free)
#define git_repository_init		(git_dl.repository_init)
#define git_repository_odb		(git_dl.repository_odb)
#define git_repository_open		(git_dl.repository_open)
#define git_repository_path		(git_dl.repository_path)
#define git_repository_set_head		(git_dl.repository_set_head)
#define git_signature_free		(git_dl.signature_free)
#define git_signature_now		(git_dl.signature_now)
#define git_tag_create			(git_dl.tag_create)
#define git_tag_create_from_buffer	(git_dl.tag_create_from_buffer)
#define git_tag_free			(git_dl.tag_free)
#define git_tag_lookup			(git_dl.tag_lookup)
#define git_tag_message			(git_dl.tag_message)
#define git_tag_name			(git_dl.tag_name)
#define git_tag_peel			(git_dl.tag_peel)
#define git_tag_tagger			(git_dl.tag_tagger)
#define git_tree_create_updated		(git_dl.tree_create_updated)
#define git_tree_entry_byindex		(git_dl.tree_entry_byindex)
#define git_tree_entry_bypath		(git_dl.tree_entry_bypath)
#define git_tree_entry_free		(git_dl.tree_entry_free)
#define git_tree_entry_id		(git_dl.tree_entry_id)
#define git_tree_entry_name		(git_dl.tree_entry_name)
#define git_tree_entry_type		(git_dl.tree_entry_type)
#define git_tree_entrycount		(git_dl.tree_entrycount)
#define git_tree_free			(git_dl.tree_free)
#define git_tree_id			(git_dl.tree_id)
#define git_tree_lookup			(git_dl.tree_lookup)
#define git_treebuilder_free		(git_dl.treebuilder_free)
#define git_treebuilder_insert		(git_dl.treebuilder_insert)
#define git_treebuilder_new		(git_dl.treebuilder_new)
#define git_treebuilder_write		(git_dl.treebuilder_write)

#endif
