/*
 * Attacks on the sandbox that the hostile table (test_e2e.c,
 * grader/tests/hostile/expected-sandboxed.tsv) cannot hold: submissions
 * too large to commit (made here), a grader run on a terminal, a grader
 * run as root without its sandbox, inside a cgroup of an operator's, or in
 * a chroot.  Each asserts on the grader's JSON report and on the machine.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "e2e_util.h"
#include "sandbox.h"
#include "util.h"

#define HOSTILE "grader/tests/hostile"

TestSuite(hostile_made, .timeout = 180);

static struct e2e_run run;

/* The test's status and its failing checks' messages, from a report on stdout. */
static json_t *report_of(const struct e2e_run *r)
{
	json_error_t jerr;
	json_t *report = json_loads(r->out, 0, &jerr);
	cr_assert_not_null(report, "stdout is not JSON (%s): %.300s; stderr: %.2000s", jerr.text,
			   r->out, r->err);
	return report;
}

static const char *first_test_status(json_t *report)
{
	return json_string_value(
	    json_object_get(json_array_get(json_object_get(report, "tests"), 0), "status"));
}

static const char *const prints_safe =
	"#include <stdio.h>\nint main(void){puts(\"safe\");return 0;}\n";

/* A folder under the test's scratch holding `file` with `text`; returns its path. */
static char *make_folder(const char *name, const char *file, const char *text)
{
	char *dir = path_join(e2e_tmpdir(), name);
	cr_assert_eq(mkdir_p(dir, 0755), 0, "%s", error_last());
	char *path = path_join(dir, file);
	cr_assert_eq(write_file_atomic(path, text, strlen(text)), 0, "%s", error_last());
	chmod(path, 0644);
	free(path);
	/* The grader may run as nobody (make test's second round): let it read. */
	chmod(e2e_tmpdir(), 0755);
	return dir;
}

static void grade_json(const char *spec, const char *submission, const char *extra)
{
	const char *argv[] = {e2e_grader(), "grade", spec, submission, "--format", "json",
			      "-o", e2e_tmpdir(), extra, NULL};
	e2e_release_and_run(argv, &run);
}

/*
 * Grades dir against the hostile spec and expects a failed build (exit 1,
 * isolation full) whose output holds every one of words (NULL-terminated).
 */
static void expect_build_refused(const char *dir, const char *const *words)
{
	grade_json(HOSTILE "/spec.yaml", dir, NULL);
	cr_expect_eq(run.exit_code, 1, "exit %d: %s", run.exit_code, run.err);
	json_t *report = report_of(&run);
	cr_expect_str_eq(first_test_status(report), "build_failed");
	const char *output = json_string_value(json_object_get(json_object_get(report, "build"), "output"));
	for (const char *const *w = words; *w; w++)
		cr_expect(output && strstr(output, *w), "no \"%s\" in: %s", *w, output);
	cr_expect_str_eq(json_string_value(json_object_get(report, "isolation")), "full");
	json_decref(report);
}

/*
 * A 130 MiB sparse file (it takes no room on the disk) does not fit the
 * build's 128 MiB working folder: the submission's failure, said in its
 * terms, before anything is copied.  Never an error, never a way around
 * the sandbox.
 */
Test(hostile_made, a_submission_larger_than_its_working_folder_fails_its_build)
{
	char *dir = make_folder("too_large", "prog.c", prints_safe);
	char *big = path_join(dir, "big.bin");
	int fd = open(big, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	cr_assert_geq(fd, 0);
	cr_assert_eq(ftruncate(fd, 130LL << 20), 0, "%s", strerror(errno));
	close(fd);
	expect_build_refused(dir, (const char *const[]){"130.0 MiB", "128 MiB", NULL});
	free(big);
	free(dir);
}

Test(hostile_made, a_submission_of_too_many_files_fails_its_build)
{
	char *dir = make_folder("too_many_files", "prog.c", prints_safe);
	char *sub = path_join(dir, "many");
	cr_assert_eq(mkdir_p(sub, 0755), 0);
	for (int i = 0; i < 20000; i++) {
		char name[32];
		snprintf(name, sizeof(name), "%d", i);
		char *path = path_join(sub, name);
		int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
		close(fd);
		free(path);
	}
	expect_build_refused(dir, (const char *const[]){"files and folders", "16384", NULL});
	remove_tree(sub);
	free(sub);
	free(dir);
}

/*
 * Folders nested 5,000 deep: every walk of the tree would recurse that deep
 * (a digest's recursion overflowed the stack: the grader crashed, exit 3)
 * and its paths outgrow PATH_MAX.  Refused before any copy, in the
 * submission's terms: a failed build, never a grader error.
 */
Test(hostile_made, folders_nested_thousands_deep_fail_the_build)
{
	char *dir = make_folder("too_deep", "prog.c", prints_safe);
	char *sub = path_join(dir, "d");
	cr_assert_eq(mkdir(sub, 0755), 0, "%s", strerror(errno));
	int fd = open(sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (int i = 0; fd >= 0 && i < 5000; i++) {
		cr_assert_eq(mkdirat(fd, "d", 0755), 0, "level %d: %s", i, strerror(errno));
		int next = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		close(fd);
		fd = next;
	}
	cr_assert_geq(fd, 0, "%s", strerror(errno));
	close(fd);
	expect_build_refused(dir, (const char *const[]){"more than 64 deep", NULL});
	/* remove_tree walks by path, which a tree this deep outgrows: rm walks by descriptor. */
	const char *rm[] = {"rm", "-rf", sub, NULL};
	e2e_release_and_run(rm, &run);
	cr_expect_eq(run.exit_code, 0, "%s", run.err);
	free(sub);
	free(dir);
}

/* As root, student code runs as uid 65534 even with no sandbox at all. */
Test(hostile_made, no_sandbox_still_never_runs_student_code_as_root)
{
	grade_json(HOSTILE "/spec.yaml", HOSTILE "/submissions/never_root", "--no-sandbox");
	cr_expect_eq(run.exit_code, 0, "exit %d: %s", run.exit_code, run.err);
	json_t *report = report_of(&run);
	cr_expect_str_eq(first_test_status(report), "passed", "%s", run.out);
	cr_expect_str_eq(json_string_value(json_object_get(report, "isolation")), "partial");
	json_decref(report);
}

/* Reads what the master side of a terminal has until the child exits; returns it. */
static char *drain_terminal(int master, pid_t child, int *status)
{
	struct strbuf seen = STRBUF_INIT;
	strbuf_init(&seen);
	for (;;) {
		struct pollfd pfd = {master, POLLIN, 0};
		int rc = poll(&pfd, 1, 50);
		char buf[4096];
		ssize_t n = rc > 0 ? read(master, buf, sizeof(buf)) : 0;
		if (n > 0) {
			strbuf_add(&seen, buf, (size_t)n);
			continue;
		}
		/* EIO: every slave descriptor is closed. */
		if (waitpid(child, status, WNOHANG) == child)
			break;
	}
	return strbuf_detach(&seen, NULL);
}

/*
 * The grader runs on a terminal of the test's (its controlling terminal,
 * as a TA's shell gives it), and the program tries every way to that
 * terminal: nothing it types or writes may arrive there.
 */
Test(hostile_made, nothing_reaches_the_terminal_the_grader_runs_on)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	cr_assert_geq(master, 0);
	cr_assert_eq(grantpt(master), 0);
	cr_assert_eq(unlockpt(master), 0);
	char *slave_name = xstrdup(ptsname(master));
	/* The test keeps the slave open: what is typed into the terminal waits there, to be read. */
	int slave = open(slave_name, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	cr_assert_geq(slave, 0);
	char *report = path_join(e2e_tmpdir(), "tty-report.json");
	char *cmd = xasprintf("exec %s grade %s/spec.yaml %s/submissions/types_into_terminal -o %s "
			      "--format json > %s",
			      e2e_grader(), HOSTILE, HOSTILE, e2e_tmpdir(), report);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		/* A session whose controlling terminal is the slave, on 0-2, as in a TA's shell. */
		setsid();
		int tty = open(slave_name, O_RDWR);
		if (tty < 0 || ioctl(tty, TIOCSCTTY, 0) < 0)
			_exit(126);
		dup2(tty, 0);
		dup2(tty, 1);
		dup2(tty, 2);
		const char *root = getenv("GRADER_ROOT");
		if (root && chdir(root) < 0)
			_exit(126);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	int status = 0;
	char *screen = drain_terminal(master, pid, &status);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "grader: status 0x%x; terminal:\n%s",
		  status, screen);
	cr_expect_null(strstr(screen, "HOSTILE-TTY-MARKER"), "written to the terminal:\n%s", screen);
	cr_expect_null(strstr(screen, "HOSTILE-TIOCSTI"), "typed into the terminal:\n%s", screen);
	char typed[256];
	ssize_t n = read(slave, typed, sizeof(typed) - 1);
	cr_expect(n < 0 && errno == EAGAIN, "typed into the terminal's input: %.*s", (int)(n > 0 ? n : 0),
		  typed);
	json_error_t jerr;
	json_t *j = json_load_file(report, 0, &jerr);
	cr_assert_not_null(j, "%s: %s; terminal:\n%s", report, jerr.text, screen);
	cr_expect_str_eq(first_test_status(j), "passed", "terminal:\n%s", screen);
	json_decref(j);
	free(screen);
	free(cmd);
	free(report);
	free(slave_name);
	close(slave);
	close(master);
}

/* A program that says "safe" when its pids cgroup lies below $EXPECT_CGROUP. */
static const char *const reports_cgroup =
	"#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n"
	"int main(void) {\n"
	"	char line[512]; const char *want = getenv(\"EXPECT_CGROUP\");\n"
	"	FILE *f = fopen(\"/proc/self/cgroup\", \"r\");\n"
	"	while (f && want && fgets(line, sizeof line, f)) {\n"
	"		char *path = strstr(line, \":pids:\");\n"
	"		if (path && !strncmp(path + 6, want, strlen(want))) { puts(\"safe\"); return 0; }\n"
	"		if (path) printf(\"ESCAPED: pids cgroup %s\", path + 6);\n"
	"	}\n"
	"	return 0;\n"
	"}\n";

/*
 * A root grader's pids cgroup lies below the cgroup it was started in
 * (an operator's, a CI runner's), never beside it at the top: a task limit
 * there binds every test it runs.
 */
Test(hostile_made, a_root_graders_cgroup_is_nested_where_it_was_started)
{
	if (getuid() != 0)
		cr_skip_test("root only: an ordinary user's grader makes no cgroup");
	if (access("/sys/fs/cgroup/pids/cgroup.procs", W_OK) != 0)
		cr_skip_test("no writable cgroup v1 pids hierarchy here");
	char *outer = xasprintf("/sys/fs/cgroup/pids/hostile-outer-%d", (int)getpid());
	cr_assert(mkdir(outer, 0755) == 0 || errno == EEXIST, "%s: %s", outer, strerror(errno));
	char *sub = make_folder("cgroup_sub", "prog.c", reports_cgroup);
	char *spec_text = xasprintf("assignment: nested\n"
				    "build: { files: [prog.c], command: \"cc -o prog prog.c\" }\n"
				    "tests:\n"
				    "  - name: nested\n"
				    "    run: ./prog\n"
				    "    timeout: 5s\n"
				    "    env: { EXPECT_CGROUP: \"/hostile-outer-%d/grader-\" }\n"
				    "    expect: { exit: 0, stdout: \"safe\\n\" }\n",
				    (int)getpid());
	char *spec = make_folder("cgroup_spec", "spec.yaml", spec_text);
	char *report = path_join(e2e_tmpdir(), "nested.json");
	char *procs = path_join(outer, "cgroup.procs");
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		FILE *f = fopen(procs, "w");
		if (!f || fprintf(f, "0\n") < 0 || fclose(f) != 0)
			_exit(126);
		int fd = open(report, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 || dup2(fd, 1) < 0)
			_exit(126);
		const char *root = getenv("GRADER_ROOT");
		if (root && chdir(root) < 0)
			_exit(126);
		execl(e2e_grader(), e2e_grader(), "grade", spec, sub, "--format", "json", "-o",
		      e2e_tmpdir(), (char *)NULL);
		_exit(127);
	}
	int status;
	waitpid(pid, &status, 0);
	json_error_t jerr;
	json_t *j = json_load_file(report, 0, &jerr);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "grader: status 0x%x", status);
	cr_assert_not_null(j, "%s: %s", report, jerr.text);
	cr_expect_str_eq(first_test_status(j), "passed");
	json_decref(j);
	cr_expect_eq(rmdir(outer), 0, "%s: %s (the grader left a cgroup in it)", outer,
		     strerror(errno));
	free(procs);
	free(report);
	free(spec);
	free(spec_text);
	free(sub);
	free(outer);
}

/*
 * In a chroot whose / is not a mount point, no mount namespace can be made
 * private: the sandbox cannot be built.  The grader says so at start-up
 * (isolation partial, on stderr and in the report) and still runs student
 * code confined and never as root; it never finds out mid-class.
 */
Test(hostile_made, a_chroot_without_a_mount_at_its_root_degrades_at_start_up_and_says_so)
{
	if (getuid() != 0)
		cr_skip_test("root only: making a chroot");
	const char *root = getenv("GRADER_ROOT") ? getenv("GRADER_ROOT") : ".";
	char *checkout = realpath(root, NULL);
	char *grader = realpath(e2e_grader(), NULL);
	cr_assert(checkout && grader);
	cr_assert_eq(strncmp(grader, checkout, strlen(checkout)), 0, "the grader is not in the checkout");
	char *jail = path_join(e2e_tmpdir(), "jail");
	cr_assert_eq(mkdir_p(jail, 0755), 0);
	char *script = xasprintf(
	    "set -e; j=%s; cd $j; mkdir -p proc dev tmp work etc;"
	    " for d in usr lib lib32 lib64 libx32 bin sbin; do"
	    "   if [ -L /$d ]; then ln -s \"$(readlink /$d)\" $d;"
	    "   elif [ -d /$d ]; then mkdir $d; mount --rbind /$d $d; fi; done;"
	    " mount --rbind /etc etc; mount --rbind /proc proc; mount --rbind /dev dev;"
	    " mount --bind %s work; chmod 1777 tmp;"
	    /* The jail's own /tmp: the suite's TMPDIR is not in the jail. */
	    " TMPDIR=/tmp exec chroot $j /work%s grade /work/%s/spec.yaml /work/%s/submissions/never_root"
	    " -o /tmp/out --format json",
	    jail, checkout, grader + strlen(checkout), HOSTILE, HOSTILE);
	const char *argv[] = {"unshare", "--mount", "--propagation", "private", "sh", "-c", script,
			      NULL};
	e2e_release_and_run(argv, &run);
	cr_expect_eq(run.exit_code, 0, "exit %d: %s", run.exit_code, run.err);
	cr_expect(strstr(run.err, "isolation partial") && strstr(run.err, "make / private"), "%s",
		  run.err);
	json_t *report = report_of(&run);
	cr_expect_str_eq(first_test_status(report), "passed", "%s", run.out);
	cr_expect_str_eq(json_string_value(json_object_get(report, "isolation")), "partial");
	json_decref(report);
	free(script);
	free(jail);
	free(grader);
	free(checkout);
}
