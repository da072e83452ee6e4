#include "sandbox_fs.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "compat.h"
#include "util.h"

/*
 * Order of operations, and why:
 *
 *   1. every mount becomes private, so that nothing done here reaches the host;
 *   2. the host workdir is opened: the folders above it may be closed to the
 *      sandbox user the rest may run as (see below), and scratch_root's tmpfs
 *      would hide it were it below scratch_root;
 *   3. the new root's tmpfs is mounted on scratch_root and becomes the current
 *      folder: from then on paths relative to "." name the new tree, and
 *      absolute ones name only the host things being bound into it;
 *   4. the tree is filled (system binds, /etc, /dev, /proc, /tmp, workdir);
 *   5. the skeleton tmpfs mounts become read-only, last, so that the workdir's
 *      path could still be created in any of them;
 *   6. pivot_root(".", ".") stacks the host's root on top of the new one, and
 *      detaching it leaves nothing of the host reachable.
 *
 * Who creates the files: the kernel creates nothing on a file system mounted
 * in this user namespace for an fsuid or fsgid the namespace does not map
 * (EOVERFLOW).  That is a root grader's case, whose namespace maps only the
 * sandbox user.  A probe on the new root asks the kernel (the ids seen inside
 * cannot tell: an unmapped id reads as the overflow id 65534, which may also be
 * a mapped one); if it refuses, steps 3 to 6 run as the sandbox user, on
 * tmpfs mounts that user owns.  Otherwise everything belongs to the caller.
 *
 * Binds are made read-only with mount_setattr(), which only adds flags: what
 * the host's mount has locked for a less privileged namespace (nodev, noexec,
 * its atime mode) stays as it was, where a MS_REMOUNT would have to restate
 * each locked flag or fail with EPERM.  AT_RECURSIVE covers the host's
 * submounts under /usr too, which a remount would leave writable.
 */

/* Room for the skeleton tmpfs mounts (/, /etc, /dev): folders, links, passwd, group. */
#define SKELETON_OPTS "mode=0755,size=1m"
#define PROBE_NAME ".sandbox-probe"

#define RO_BIND_ATTRS (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV)
#define DEVICE_ATTRS (MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC)

struct fs_build {
	const struct sandbox_fs_config *cfg;
	const char *workdir_rel; /* cfg->workdir relative to the new root */
	int workdir_fd;		 /* O_PATH, opened before anything can hide it */
	bool as_sandbox_user;	 /* see "Who creates the files" */
};

static int check_config(const struct sandbox_fs_config *cfg, struct fs_build *b)
{
	if (!cfg->workdir || cfg->workdir[0] != '/')
		return error("sandbox: the workdir must be an absolute path");
	if (!cfg->scratch_root || cfg->scratch_root[0] != '/')
		return error("sandbox: the scratch root must be an absolute path");
	/* tmpfs reads size=0 as "no limit". */
	if (cfg->tmp_size <= 0 || cfg->workdir_size < 0)
		return error("sandbox: tmp_size must be positive and workdir_size not negative");
	for (const char *const *src = cfg->workdir_sources; src && *src; src++)
		if ((*src)[0] != '/')
			return error("sandbox: a workdir source must be an absolute path: %s", *src);
	b->workdir_rel = cfg->workdir + strspn(cfg->workdir, "/");
	if (!*b->workdir_rel)
		return error("sandbox: the workdir cannot be /");
	return 0;
}

/* Mount options for a tmpfs this code fills: it must belong to whoever creates the files. */
static char *tmpfs_options(const struct fs_build *b, const char *opts)
{
	if (!b->as_sandbox_user)
		return xstrdup(opts);
	return xasprintf("%s,uid=%u,gid=%u", opts, b->cfg->sandbox_uid, b->cfg->sandbox_gid);
}

/* shown names the mount point in messages (the path inside the sandbox). */
static int mount_tmpfs(const struct fs_build *b, const char *target, const char *shown,
		       unsigned long flags, const char *opts)
{
	char *data = tmpfs_options(b, opts);
	int ret = 0;
	if (mount("tmpfs", target, "tmpfs", flags, data) < 0)
		ret = error_errno("sandbox: mount tmpfs on %s", shown);
	free(data);
	return ret;
}

static int make_dir(const char *rel, mode_t mode)
{
	if (mkdir(rel, mode) < 0)
		return error_errno("sandbox: create /%s", rel);
	return 0;
}

static int make_file(const char *rel, mode_t mode, const char *text)
{
	int fd = open(rel, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return error_errno("sandbox: create /%s", rel);
	int ret = 0;
	if (write_all(fd, text, strlen(text)) < 0)
		ret = error_errno("sandbox: write /%s", rel);
	if (close(fd) < 0 && ret == 0)
		ret = error_errno("sandbox: write /%s", rel);
	return ret;
}

static int make_link(const char *target, const char *rel)
{
	if (symlink(target, rel) < 0)
		return error_errno("sandbox: create /%s", rel);
	return 0;
}

/* flags: 0 or AT_RECURSIVE. */
static int add_mount_attrs(const char *rel, unsigned int flags, uint64_t attrs)
{
	struct mount_attr attr = {.attr_set = attrs};
	if (compat_mount_setattr(AT_FDCWD, rel, flags, &attr, sizeof(attr)) < 0) {
		const char *shown = strcmp(rel, ".") ? rel : "";
		return error_errno("sandbox: make /%s %s%s", shown,
				   attrs & MOUNT_ATTR_RDONLY ? "read-only" : "nosuid,noexec",
				   errno == ENOSYS ? " (mount_setattr, Linux 5.12 and later)" : "");
	}
	return 0;
}

static int bind_host(const char *host, const char *rel, uint64_t attrs)
{
	if (mount(host, rel, NULL, MS_BIND | MS_REC, NULL) < 0)
		return error_errno("sandbox: bind %s", host);
	return add_mount_attrs(rel, AT_RECURSIVE, attrs);
}

/*
 * Gives the new root what the host has at the same path: a link stays a link
 * (/bin -> usr/bin), a folder or any other file is bound with attrs added, and
 * what the host lacks is left out.
 */
static int mirror_host(const char *rel, uint64_t attrs)
{
	char *host = xasprintf("/%s", rel);
	struct stat st;
	int ret = -1;
	if (lstat(host, &st) < 0) {
		ret = errno == ENOENT ? 0 : error_errno("sandbox: look up %s", host);
		goto out;
	}
	if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlink(host, target, sizeof(target) - 1);
		if (n < 0) {
			error_errno("sandbox: read link %s", host);
			goto out;
		}
		target[n] = '\0';
		ret = make_link(target, rel);
		goto out;
	}
	if (S_ISDIR(st.st_mode) ? make_dir(rel, 0755) < 0 : make_file(rel, 0644, "") < 0)
		goto out;
	ret = bind_host(host, rel, attrs);
out:
	free(host);
	return ret;
}

static int mount_and_enter_root(const struct fs_build *b)
{
	const char *root = b->cfg->scratch_root;
	if (mount_tmpfs(b, root, root, MS_NOSUID | MS_NODEV, SKELETON_OPTS) < 0)
		return -1;
	if (chdir(root) < 0)
		return error_errno("sandbox: chdir %s", root);
	return 0;
}

/*
 * Mounts the new root and enters it, probing whether the caller may create
 * files there (see "Who creates the files").  The ids change only once the
 * new root is the current folder: the path to scratch_root may be closed to
 * the sandbox user.
 */
static int setup_root(struct fs_build *b)
{
	const struct sandbox_fs_config *cfg = b->cfg;
	if (mount_and_enter_root(b) < 0)
		return -1;
	if (mkdir(PROBE_NAME, 0700) == 0) {
		if (rmdir(PROBE_NAME) < 0)
			return error_errno("sandbox: remove %s/%s", cfg->scratch_root, PROBE_NAME);
		return 0;
	}
	if (errno != EOVERFLOW)
		return error_errno("sandbox: create a folder in %s", cfg->scratch_root);

	if (umount2(cfg->scratch_root, MNT_DETACH) < 0)
		return error_errno("sandbox: umount %s", cfg->scratch_root);
	b->as_sandbox_user = true;
	if (mount_and_enter_root(b) < 0)
		return -1;
	setfsgid(cfg->sandbox_gid);
	setfsuid(cfg->sandbox_uid);
	/* setfsuid() returns only the previous id: ask again to see whether it took. */
	if ((unsigned)setfsuid(-1) != cfg->sandbox_uid ||
	    (unsigned)setfsgid(-1) != cfg->sandbox_gid)
		return error("sandbox: the user namespace maps neither the caller nor the sandbox "
			     "user %u:%u, so no file can be created in it",
			     cfg->sandbox_uid, cfg->sandbox_gid);
	return 0;
}

/*
 * setfsuid() cannot name an id the namespace does not map, so it cannot give
 * back the caller's own; any set*[ug]id() call resets them to the effective
 * ids, and setre[ug]id(-1, -1) changes nothing else.
 */
static int restore_ids(const struct fs_build *b)
{
	if (!b->as_sandbox_user)
		return 0;
	if (setreuid(-1, -1) < 0 || setregid(-1, -1) < 0)
		return error_errno("sandbox: restore the file system ids");
	return 0;
}

static int setup_system(void)
{
	static const char *const dirs[] = {"usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32"};
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		if (mirror_host(dirs[i], RO_BIND_ATTRS) < 0)
			return -1;
	return 0;
}

/* Only the ids the sandbox has, each once: the sandbox user may itself be nobody. */
static int write_users(const struct sandbox_fs_config *cfg)
{
	struct strbuf passwd = STRBUF_INIT, group = STRBUF_INIT;
	strbuf_init(&passwd);
	strbuf_init(&group);
	strbuf_addf(&passwd, "student:x:%u:%u:student:%s:/bin/sh\n", cfg->sandbox_uid,
		    cfg->sandbox_gid, cfg->workdir);
	strbuf_addf(&group, "student:x:%u:\n", cfg->sandbox_gid);
	if (cfg->sandbox_uid != 0)
		strbuf_addstr(&passwd, "root:x:0:0:root:/root:/bin/sh\n");
	if (cfg->sandbox_uid != 65534)
		strbuf_addstr(&passwd,
			      "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
	if (cfg->sandbox_gid != 0)
		strbuf_addstr(&group, "root:x:0:\n");
	if (cfg->sandbox_gid != 65534)
		strbuf_addstr(&group, "nogroup:x:65534:\n");
	int ret = -1;
	if (make_file("etc/passwd", 0644, passwd.buf) == 0 &&
	    make_file("etc/group", 0644, group.buf) == 0)
		ret = 0;
	strbuf_release(&passwd);
	strbuf_release(&group);
	return ret;
}

static int setup_etc(const struct fs_build *b)
{
	/* What the dynamic loader, compilers and libc's name lookups read; nothing else. */
	static const char *const entries[] = {"etc/alternatives", "etc/ld.so.cache",
					      "etc/ld.so.conf",	  "etc/ld.so.conf.d",
					      "etc/localtime",	  "etc/nsswitch.conf"};
	if (make_dir("etc", 0755) < 0 ||
	    mount_tmpfs(b, "etc", "/etc", MS_NOSUID | MS_NODEV | MS_NOEXEC, SKELETON_OPTS) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(entries); i++)
		if (mirror_host(entries[i], RO_BIND_ATTRS) < 0)
			return -1;
	return write_users(b->cfg);
}

static int setup_dev(const struct fs_build *b)
{
	static const char *const nodes[] = {"dev/null",	  "dev/zero",	 "dev/full",
					    "dev/random", "dev/urandom"};
	static const char *const links[][2] = {
	    {"/proc/self/fd", "dev/fd"},
	    {"/proc/self/fd/0", "dev/stdin"},
	    {"/proc/self/fd/1", "dev/stdout"},
	    {"/proc/self/fd/2", "dev/stderr"},
	};
	if (make_dir("dev", 0755) < 0 ||
	    mount_tmpfs(b, "dev", "/dev", MS_NOSUID | MS_NODEV | MS_NOEXEC, SKELETON_OPTS) < 0)
		return -1;
	/* The binds are mounts of the host's devtmpfs: /dev's own nodev does not apply to them. */
	for (size_t i = 0; i < ARRAY_SIZE(nodes); i++)
		if (mirror_host(nodes[i], DEVICE_ATTRS) < 0)
			return -1;
	for (size_t i = 0; i < ARRAY_SIZE(links); i++)
		if (make_link(links[i][0], links[i][1]) < 0)
			return -1;
	/*
	 * Pseudo-terminals for `tty: true` (run_stdin.c): a devpts of the
	 * sandbox's own, so that no terminal of the host is reachable.  Where
	 * the kernel refuses it, /dev/ptmx dangles, and only a tty test fails
	 * (the machine's error, said when it opens /dev/ptmx).
	 */
	if (make_dir("dev/pts", 0755) < 0 || make_link("pts/ptmx", "dev/ptmx") < 0)
		return -1;
	(void)mount("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		    "newinstance,ptmxmode=0666,mode=0600");

	if (make_dir("dev/shm", 0755) < 0)
		return -1;
	char *opts = xasprintf("mode=1777,size=%lld,nr_inodes=%d", b->cfg->tmp_size, SANDBOX_FS_FILES);
	int rc = mount_tmpfs(b, "dev/shm", "/dev/shm", MS_NOSUID | MS_NODEV, opts);
	free(opts);
	if (rc < 0 || make_dir("dev/mqueue", 0755) < 0)
		return -1;
	if (mount("mqueue", "dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
		/* A kernel without POSIX message queues: mq_open() fails there anyway. */
		if (errno == ENODEV)
			return 0;
		return error_errno(
		    "sandbox: mount /dev/mqueue%s",
		    errno == EPERM ? " (it needs an IPC namespace of the sandbox's own)" : "");
	}
	return 0;
}

static int setup_proc(void)
{
	if (make_dir("proc", 0555) < 0)
		return -1;
	if (mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return error_errno("sandbox: mount /proc%s",
				   errno == EPERM
				       ? " (it needs a PID namespace owned by the sandbox's "
					 "user namespace, and a host /proc with no paths "
					 "masked)"
				       : "");
	return 0;
}

static int setup_tmp(const struct fs_build *b)
{
	if (make_dir("tmp", 0755) < 0)
		return -1;
	char *opts = xasprintf("mode=1777,size=%lld,nr_inodes=%d", b->cfg->tmp_size, SANDBOX_FS_FILES);
	int ret = mount_tmpfs(b, "tmp", "/tmp", MS_NOSUID | MS_NODEV, opts);
	free(opts);
	return ret;
}

static int copy_workdir(const struct fs_build *b, const char *host)
{
	const struct sandbox_fs_config *cfg = b->cfg;
	struct stat st = {.st_mode = 0755};
	if (b->workdir_fd >= 0 && fstat(b->workdir_fd, &st) < 0)
		return error_errno("sandbox: %s", cfg->workdir);
	char *opts = xasprintf("mode=%o,size=%lld,nr_inodes=%d", (unsigned)(st.st_mode & 01777),
			       cfg->workdir_size, SANDBOX_FS_FILES);
	int ret = mount_tmpfs(b, b->workdir_rel, cfg->workdir, MS_NOSUID | MS_NODEV, opts);
	free(opts);
	/* Sources are still reachable by their host paths: the new root is not entered yet. */
	const char *const own[] = {host, NULL};
	const char *const *src = cfg->workdir_sources ? cfg->workdir_sources : own;
	if (ret == 0 && cfg->own_copies &&
	    lchown(b->workdir_rel, cfg->sandbox_uid, cfg->sandbox_gid) < 0)
		ret = error_errno("sandbox: chown %s", cfg->workdir);
	for (; ret == 0 && *src; src++) {
		if ((ret = cfg->own_copies ? copy_tree_owned(*src, b->workdir_rel, cfg->sandbox_uid,
							     cfg->sandbox_gid)
					   : copy_tree(*src, b->workdir_rel)) < 0) {
			/* Out of room (bytes or inodes): what was copied is too large, not the machine. */
			bool full = errno == ENOSPC || errno == EDQUOT || errno == EFBIG;
			char *size = human_size((double)cfg->workdir_size);
			error_prefix("sandbox: copy %s into its %s tmpfs", *src, size);
			free(size);
			if (full)
				ret = SANDBOX_FS_FULL;
		}
	}
	return ret;
}

/*
 * The host folder is reached through the descriptor opened before the new
 * root existed.  SANDBOX_FS_FULL when its copy does not fit.
 */
static int setup_workdir(const struct fs_build *b)
{
	char *host = xasprintf("/proc/self/fd/%d", b->workdir_fd);
	int ret = -1;
	if (mkdir_p(b->workdir_rel, 0755) < 0) {
		error_prefix("sandbox: create %s", b->cfg->workdir);
		goto out;
	}
	if (b->cfg->workdir_size > 0) {
		ret = copy_workdir(b, host);
		goto out;
	}
	if (mount(host, b->workdir_rel, NULL, MS_BIND | MS_REC, NULL) < 0) {
		error_errno("sandbox: bind %s", b->cfg->workdir);
		goto out;
	}
	ret = 0;
out:
	free(host);
	return ret;
}

static int seal(void)
{
	/* Not recursive: /dev/shm and the device binds stay writable. */
	static const char *const skeleton[] = {"etc", "dev", "."};
	for (size_t i = 0; i < ARRAY_SIZE(skeleton); i++)
		if (add_mount_attrs(skeleton[i], 0, MOUNT_ATTR_RDONLY) < 0)
			return -1;
	return 0;
}

static int enter_new_root(void)
{
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return error_errno("sandbox: pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		return error_errno("sandbox: detach the host's root");
	if (chdir("/") < 0)
		return error_errno("sandbox: chdir /");
	return 0;
}

int sandbox_fs_setup(const struct sandbox_fs_config *cfg)
{
	struct fs_build b = {.cfg = cfg, .workdir_fd = -1};
	/* Modes are given in full: a caller's umask 077 would shut the sandbox user out. */
	mode_t old_umask = umask(0);
	int ret = -1;

	if (check_config(cfg, &b) < 0)
		goto out;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		error_errno("sandbox: make / private");
		goto out;
	}
	/* A workdir made of sources exists only in here. */
	if (!(cfg->workdir_size > 0 && cfg->workdir_sources))
		b.workdir_fd = open(cfg->workdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (b.workdir_fd < 0 && !(cfg->workdir_size > 0 && cfg->workdir_sources)) {
		error_errno("sandbox: open %s", cfg->workdir);
		goto out;
	}
	if (setup_root(&b) < 0 || setup_system() < 0 || setup_etc(&b) < 0 || setup_dev(&b) < 0 ||
	    setup_proc() < 0 || setup_tmp(&b) < 0)
		goto out;
	ret = setup_workdir(&b);
	if (ret == 0 && (seal() < 0 || enter_new_root() < 0))
		ret = -1;
out:
	if (restore_ids(&b) < 0)
		ret = -1;
	close_fd(&b.workdir_fd);
	umask(old_umask);
	return ret;
}

/* nftw() has no context argument: the walk in progress (one at a time). */
static struct sandbox_fs_footprint *footprint_acc;
static long long footprint_page;

static int footprint_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	/* Too deep is decided here: what lies below is never walked. */
	if (ftw->level > TREE_DEPTH_MAX) {
		footprint_acc->too_deep = true;
		return type == FTW_D ? FTW_SKIP_SUBTREE : FTW_CONTINUE;
	}
	/* What cannot be read cannot be copied: said now, by name, not as a failed copy. */
	bool readable = true;
	if (type == FTW_DNR || type == FTW_NS)
		readable = false;
	else if (type == FTW_D)
		readable = access(path, R_OK | X_OK) == 0;
	else if (type == FTW_F && S_ISREG(st->st_mode))
		readable = access(path, R_OK) == 0;
	if (!readable) {
		error_errno("cannot read %s", path);
		return FTW_STOP;
	}
	footprint_acc->files++;
	if (type == FTW_F && S_ISREG(st->st_mode) && st->st_size > 0)
		footprint_acc->bytes +=
		    (st->st_size + footprint_page - 1) / footprint_page * footprint_page;
	return FTW_CONTINUE;
}

int sandbox_fs_footprint(const char *const *sources, struct sandbox_fs_footprint *out)
{
	memset(out, 0, sizeof(*out));
	footprint_acc = out;
	footprint_page = sysconf(_SC_PAGESIZE) > 0 ? sysconf(_SC_PAGESIZE) : 4096;
	for (const char *const *src = sources; *src; src++) {
		/* FTW_PHYS: a link is counted as a link, never followed. */
		int rc = nftw(*src, footprint_entry, 16, FTW_PHYS | FTW_ACTIONRETVAL);
		if (rc == FTW_STOP || (rc < 0 && error_errno("cannot read %s", *src)))
			return -1;
	}
	return 0;
}
