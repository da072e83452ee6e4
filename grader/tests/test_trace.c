/*
 * Unit tests of the trace: traced runs of shell commands and of small C
 * programs compiled here, through the runner (run_processes) and through
 * the sandbox, asserting on the trace record; the judge's names and
 * conveniences on hand-built records; and the report of a real
 * submission.  They pass as root and as an ordinary user (`make test` runs
 * them both ways).
 */
#include <criterion/criterion.h>
#include <elf.h>
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "e2e_util.h"
#include "run.h"
#include "sandbox.h"
#include "trace.h"
#include "trace_fixture.h"
#include "util.h"

TestSuite(trace, .init = fixture_setup, .fini = fixture_teardown, .timeout = 60);

/* Runs argv traced (everything watched and judged) without a sandbox. */
static void run_traced(char *const *argv, long long timeout_ms)
{
	static const char *const calls[] = {"pipe", "fork", "dup2", "execve", "wait", "system", NULL};
	struct trace_request trace = {.calls = calls, .zombies = true, .fds = true};
	struct run_proc_spec proc = {.name = "main", .argv = argv};
	struct run_request req = fixture_request(&proc, &trace, timeout_ms);
	cr_assert_eq(run_processes(&req, &fixture_result), 0, "%s", error_last());
	fixture_have_result = true;
	cr_assert(fixture_result.procs[0].started, "%s", fixture_result.procs[0].start_error);
	cr_assert(fixture_result.trace.traced);
	cr_assert_null(fixture_result.trace.unavailable, "%s", fixture_result.trace.unavailable);
}

static void run_sh(const char *script, long long timeout_ms)
{
	char *argv[] = {"/bin/sh", "-c", (char *)script, NULL};
	run_traced(argv, timeout_ms);
}

Test(trace, a_shell_pipeline_shows_pipe_fork_dup2_execve_and_wait)
{
	run_sh("ls / | wc -l >/dev/null", 5000);
	cr_assert_eq(fixture_result.procs[0].exit_code, 0);
	const struct trace_record *rec = &fixture_result.trace;
	const char *const wanted[] = {"pipe", "fork", "clone", "dup2", "execve", "wait"};
	for (size_t i = 0; i < ARRAY_SIZE(wanted); i++)
		cr_expect_not_null(trace_record_find(rec, wanted[i]), "no %s in the trace", wanted[i]);
	/* The shell is what the run started (a spec's `run: [sh, -c, ...]`), not the program's. */
	cr_expect_null(trace_record_find(rec, "system"), "%s", trace_record_find(rec, "system")->first);
	/* The shell and its two children, each with its own argv. */
	cr_expect_geq(rec->nprocs, 3);
	bool ls = false, wc = false;
	for (size_t i = 0; i < rec->nprocs; i++) {
		ls |= rec->procs[i].argv.n && !strcmp(rec->procs[i].argv.v[0], "ls");
		wc |= rec->procs[i].argv.n && !strcmp(rec->procs[i].argv.v[0], "wc");
		cr_expect(rec->procs[i].exited && rec->procs[i].exit_code == 0 && !rec->procs[i].signal,
			  "pid %d did not exit 0", (int)rec->procs[i].pid);
	}
	cr_expect(ls && wc, "ls and wc are not among the processes");
	/* pipe's descriptors are read at its exit; an execve shows what it ran. */
	const struct trace_event *pipe = fixture_find_event("pipe2");
	if (!pipe)
		pipe = fixture_find_event("pipe");
	cr_assert_not_null(pipe);
	cr_expect(pipe->finished && pipe->result == 0);
	cr_expect_eq(pipe->args[0], '[', "pipe's args: %s", pipe->args);
	const struct trace_event *exec = fixture_find_event("execve");
	cr_assert_not_null(exec);
	cr_expect(strstr(exec->args, "[\"ls\", \"/\"]") || strstr(exec->args, "[\"wc\", \"-l\"]"),
		  "execve args: %s", exec->args);
	/* A tracer's signal stop restarts an interrupted wait: it stays one call, with its result. */
	const struct trace_event *wait = fixture_find_event("wait4");
	cr_assert_not_null(wait);
	cr_expect_gt(wait->result, 0, "wait4 returned %lld", wait->result);
	cr_expect_eq(rec->zombies.n, 0, "%s", rec->zombies.v[0]);
	cr_expect_eq(rec->fds.n, 0, "%s", rec->fds.v[0]);
}

Test(trace, the_runner_s_own_execve_is_not_the_program_s)
{
	char *argv[] = {"/bin/true", NULL};
	run_traced(argv, 5000);
	cr_expect_null(trace_record_find(&fixture_result.trace, "execve"));
	cr_expect_eq(fixture_result.trace.nevents, 0);
	cr_assert_eq(fixture_result.trace.nprocs, 1);
	cr_expect_str_eq(fixture_result.trace.procs[0].argv.v[0], "/bin/true");
}

Test(trace, an_untraced_run_has_no_trace)
{
	char *argv[] = {"/bin/sh", "-c", "ls / | wc -l", NULL};
	struct run_proc_spec proc = {.name = "main", .argv = argv};
	struct run_request req = fixture_request(&proc, NULL, 5000);
	cr_assert_eq(run_processes(&req, &fixture_result), 0, "%s", error_last());
	fixture_have_result = true;
	cr_expect_not(fixture_result.trace.traced);
	cr_expect_eq(fixture_result.trace.nevents + fixture_result.trace.nprocs + fixture_result.trace.ncalls, 0);
}

/*
 * C for a program's zombie_of(pid): whether /proc shows pid as a zombie
 * (exited, not waited for).  A parent that loops on it until its child is
 * one leaves a zombie whatever the load, where a sleep would only make it
 * likely.  (A shell cannot: dash reaps its background jobs on its own.)
 */
#define ZOMBIE_OF_SOURCE                                                                  \
	"#include <stdio.h>\n#include <string.h>\n#include <sys/types.h>\n"                  \
	"static int zombie_of(pid_t pid) {\n"                                               \
	"  char path[64], buf[512]; snprintf(path, sizeof(path), \"/proc/%d/stat\", (int)pid);\n" \
	"  FILE *f = fopen(path, \"r\"); if (!f) return 0;\n"                                  \
	"  size_t n = fread(buf, 1, sizeof(buf) - 1, f); fclose(f); buf[n] = 0;\n"              \
	"  char *end = strrchr(buf, ')'); return end && end[1] == ' ' && end[2] == 'Z'; }\n"

/*
 * Forks a child that runs /bin/true, waits until it is gone or a zombie,
 * then, as argv[1] says:
 *   exec      becomes `sleep 0` (which waits for nobody)
 *   exit      exits 0 without waiting for it
 *   reaps     waits for it, then exits
 *   ignored   (SIGCHLD ignored, so that the kernel reaps the child) exits once it is gone
 *   killed    opens /etc/hostname as fd 7 and dies of SIGTERM
 *   deadline  opens fd 7, ignores SIGTERM and spins until the test's deadline
 */
static const char zombie_maker_source[] =
	ZOMBIE_OF_SOURCE
	"#include <fcntl.h>\n#include <signal.h>\n#include <sys/wait.h>\n#include <unistd.h>\n"
	"int main(int argc, char **argv) {\n"
	"  const char *mode = argc > 1 ? argv[1] : \"exit\";\n"
	"  int ignored = !strcmp(mode, \"ignored\");\n"
	"  if (ignored) signal(SIGCHLD, SIG_IGN);\n"
	"  pid_t child = fork();\n"
	"  if (child == 0) { execl(\"/bin/true\", \"true\", (char *)0); _exit(127); }\n"
	"  if (child < 0) return 1;\n"
	"  while (ignored ? kill(child, 0) == 0 : !zombie_of(child)) usleep(1000);\n"
	"  if (!strcmp(mode, \"exec\")) execl(\"/bin/sleep\", \"sleep\", \"0\", (char *)0);\n"
	"  if (!strcmp(mode, \"reaps\")) waitpid(child, 0, 0);\n"
	"  if (strcmp(mode, \"killed\") && strcmp(mode, \"deadline\")) return 0;\n"
	"  int fd = open(\"/etc/hostname\", O_RDONLY);\n"
	"  if (fd < 0 || dup2(fd, 7) != 7) return 1;\n"
	"  close(fd);\n"
	"  if (!strcmp(mode, \"killed\")) raise(SIGTERM);\n"
	"  signal(SIGTERM, SIG_IGN);\n"
	"  for (;;) ;\n"
	"}\n";

/* Runs the zombie maker traced in mode (see zombie_maker_source). */
static void run_zombie_maker(const char *mode, long long timeout_ms)
{
	char *prog = fixture_compile("zombie_maker", zombie_maker_source);
	char *argv[] = {prog, (char *)mode, NULL};
	run_traced(argv, timeout_ms);
	free(prog);
}

Test(trace, a_parent_that_never_waits_leaves_a_zombie_named_with_both_commands)
{
	/* The parent becomes `sleep 0`, which waits for nobody. */
	run_zombie_maker("exec", 5000);
	char *zombies = fixture_joined(&fixture_result.trace.zombies);
	cr_assert_eq(fixture_result.trace.zombies.n, 1, "%s", zombies);
	cr_expect(strstr(zombies, "parent sleep (pid ") && strstr(zombies, "/zombie_maker)") &&
		      strstr(zombies, "never waited for child true (pid "),
		  "%s", zombies);
	free(zombies);
}

Test(trace, a_child_waited_for_is_no_zombie)
{
	run_zombie_maker("reaps", 5000);
	cr_expect_eq(fixture_result.procs[0].exit_code, 0);
	cr_expect_eq(fixture_result.trace.zombies.n, 0, "%s", fixture_result.trace.zombies.v[0]);
}

Test(trace, a_parent_ignoring_sigchld_has_no_zombies)
{
	/* SIG_IGN survives exec: the kernel reaps the children itself. */
	run_zombie_maker("ignored", 5000);
	cr_expect_eq(fixture_result.procs[0].exit_code, 0);
	cr_expect_eq(fixture_result.trace.zombies.n, 0, "%s", fixture_result.trace.zombies.v[0]);
	cr_expect_not_null(trace_record_find(&fixture_result.trace, "fork"));
}

Test(trace, a_child_still_running_is_an_orphan_not_a_zombie)
{
	/*
	 * The sleep settles into outliving its parent (it sleeps on, without
	 * using CPU time) long before it could end.  Its output goes elsewhere:
	 * it is an orphan to kill, not a writer the test waits for.
	 */
	run_sh("sleep 1000 >/dev/null 2>&1 & exit 0", 20000);
	cr_expect_not(fixture_result.timed_out, "the parent was held, or the test waited, until the deadline");
	cr_expect_eq(fixture_result.trace.zombies.n, 0, "%s", fixture_result.trace.zombies.v[0]);
	cr_expect_eq(fixture_result.orphans.n, 1);
}

Test(trace, a_child_that_keeps_both_pipe_ends_is_named_with_each_end)
{
	char *prog = fixture_compile("leaks_pipe",
			     "#include <stdlib.h>\n#include <unistd.h>\n#include <sys/wait.h>\n"
			     "int main(void) { int p[2]; if (pipe(p)) return 1;\n"
			     "  if (fork() == 0) exit(0);\n"
			     "  close(p[0]); close(p[1]); wait(NULL); return 0; }\n");
	char *argv[] = {prog, NULL};
	run_traced(argv, 5000);
	char *fds = fixture_joined(&fixture_result.trace.fds);
	cr_assert_eq(fixture_result.trace.fds.n, 2, "%s", fds);
	cr_expect(strstr(fixture_result.trace.fds.v[0], ") exited holding fd 3 -> pipe:[") &&
		      strstr(fixture_result.trace.fds.v[0], "] (read end)"),
		  "%s", fds);
	cr_expect(strstr(fixture_result.trace.fds.v[1], "fd 4 -> pipe:[") &&
		      strstr(fixture_result.trace.fds.v[1], "] (write end)"),
		  "%s", fds);
	/* The child, not the parent, which closed both. */
	cr_expect_neq(atoi(fixture_result.trace.fds.v[0] + 4), fixture_result.procs[0].pid, "%s", fds);
	cr_expect_eq(fixture_result.trace.zombies.n, 0, "%s", fixture_result.trace.zombies.v[0]);
	free(fds);
	free(prog);
}

Test(trace, a_file_left_open_is_named_by_its_path)
{
	run_sh("exec 7</etc/hostname; exit 0", 5000);
	cr_assert_eq(fixture_result.trace.fds.n, 1);
	cr_expect(strstr(fixture_result.trace.fds.v[0], "fd 7 -> /etc/hostname"), "%s",
		  fixture_result.trace.fds.v[0]);
}

Test(trace, a_process_killed_by_a_signal_is_not_blamed)
{
	/* Its child is a zombie, never waited for, and fd 7 is open when it dies. */
	run_zombie_maker("killed", 5000);
	cr_expect_eq(fixture_result.procs[0].signal, SIGTERM);
	cr_expect_eq(fixture_result.trace.fds.n, 0, "%s", fixture_result.trace.fds.v[0]);
	cr_expect_eq(fixture_result.trace.zombies.n, 0, "%s", fixture_result.trace.zombies.v[0]);
}

/*
 * The same, killed at the deadline.  The deadline is a wall clock: the
 * program has a second to fork, which takes it milliseconds.
 */
Test(trace, processes_killed_at_the_deadline_are_not_blamed)
{
	run_zombie_maker("deadline", 1000);
	cr_expect(fixture_result.timed_out);
	cr_expect_eq(fixture_result.procs[0].signal, SIGKILL);
	cr_expect_eq(fixture_result.trace.fds.n, 0, "%s", fixture_result.trace.fds.v[0]);
	cr_expect_eq(fixture_result.trace.zombies.n, 0, "%s", fixture_result.trace.zombies.v[0]);
}

Test(trace, a_thread_is_a_clone_but_not_a_fork)
{
	char *prog = fixture_compile("thread",
			     "#include <pthread.h>\n"
			     "static void *run(void *a) { return a; }\n"
			     "int main(void) { pthread_t t; pthread_create(&t, 0, run, 0);\n"
			     "  pthread_join(t, 0); return 0; }\n");
	static const char *const calls[] = {"clone", NULL};
	struct trace_request trace = {.calls = calls, .zombies = true, .fds = true};
	char *argv[] = {prog, NULL};
	struct run_proc_spec proc = {.name = "main", .argv = argv};
	struct run_request req = fixture_request(&proc, &trace, 5000);
	cr_assert_eq(run_processes(&req, &fixture_result), 0, "%s", error_last());
	fixture_have_result = true;
	cr_expect_eq(fixture_result.procs[0].exit_code, 0);
	/* Unconfined, glibc makes threads with clone3 (the sandbox makes it fall back to clone). */
	cr_expect(trace_record_find(&fixture_result.trace, "clone") ||
		  trace_record_find(&fixture_result.trace, "clone3"));
	cr_expect_null(trace_record_find(&fixture_result.trace, "fork"));
	/* One process: the thread is not listed, and its exit judged nothing. */
	cr_expect_eq(fixture_result.trace.nprocs, 1);
	cr_expect_eq(fixture_result.trace.fds.n, 0, "%s", fixture_result.trace.fds.v[0]);
	free(prog);
}

/*
 * A group-stop under the tracer stays a stop until SIGCONT (PTRACE_LISTEN).
 * The child blocks on a pipe until its parent has seen it stopped and
 * continued (waitpid's WUNTRACED and WCONTINUED: the kernel's word, not a
 * guess at how long a signal takes), then exits 0.
 */
Test(trace, a_stopped_and_continued_process_goes_on)
{
	char *prog = fixture_compile(
	    "stop_and_go",
	    "#include <signal.h>\n#include <stdio.h>\n#include <sys/wait.h>\n#include <unistd.h>\n"
	    "int main(void) { int go[2], st; char c; if (pipe(go)) return 1;\n"
	    "  pid_t child = fork();\n"
	    "  if (child == 0) { close(go[1]); return read(go[0], &c, 1) == 0 ? 0 : 9; }\n"
	    /* kill(-1, SIGSTOP) would stop every process of the user, other tests' too. */
	    "  if (child < 0) return 5;\n"
	    "  close(go[0]); kill(child, SIGSTOP);\n"
	    "  if (waitpid(child, &st, WUNTRACED) != child || !WIFSTOPPED(st)) return 2;\n"
	    "  kill(child, SIGCONT);\n"
	    "  if (waitpid(child, &st, WCONTINUED) != child || !WIFCONTINUED(st)) return 3;\n"
	    "  close(go[1]);\n"
	    "  if (waitpid(child, &st, 0) != child || !WIFEXITED(st)) return 4;\n"
	    "  printf(\"%d\\n\", WEXITSTATUS(st)); return 0; }\n");
	char *argv[] = {prog, NULL};
	run_traced(argv, 5000);
	cr_expect_eq(fixture_result.procs[0].exit_code, 0);
	cr_expect_str_eq(fixture_result.procs[0].out.data, "0\n");
	cr_expect_not(fixture_result.timed_out);
	free(prog);
}

/*
 * Ways a program hands its work to a shell without running anything named
 * sh with -c: argv[1] says which; the shell (if one runs) exits 7.  With
 * argv[2], the dynamic loader runs the shell (or the memfd copy of it).
 */
static const char shell_tricks[] =
	"#define _GNU_SOURCE\n#include <fcntl.h>\n#include <stdio.h>\n#include <string.h>\n"
	"#include <sys/mman.h>\n#include <sys/stat.h>\n#include <sys/syscall.h>\n"
	"#include <sys/wait.h>\n#include <unistd.h>\n"
	"extern char **environ;\n"
	"static int copy_sh(int out) { int in = open(\"/bin/sh\", O_RDONLY); char b[65536]; ssize_t n;\n"
	"  while ((n = read(in, b, sizeof b)) > 0) if (write(out, b, (size_t)n) != n) return -1;\n"
	"  close(in); return n == 0 ? out : -1; }\n"
	"int main(int argc, char **argv) {\n"
	"  const char *how = argc > 1 ? argv[1] : \"\"; int p[2], st = 0;\n"
	"  unlink(\"helper\");\n"
	"  char *sh[] = {\"helper\", \"-c\", \"exit 7\", NULL};\n"
	"  int fd = !strncmp(how, \"memfd\", 5) ? copy_sh(memfd_create(\"helper\", 0)) : -1;\n"
	"  if (!strcmp(how, \"copy\") || !strcmp(how, \"unreadable\")) {\n"
	"    close(copy_sh(open(\"helper\", O_WRONLY | O_CREAT | O_TRUNC, 0755)));\n"
	"    if (how[0] == 'u') chmod(\"helper\", 0111); }\n"
	"  if (!strcmp(how, \"link\") || !strcmp(how, \"env\")) symlink(\"/bin/sh\", \"helper\");\n"
	"  if (!strcmp(how, \"stdin\") && pipe(p)) return 1;\n"
	"  pid_t pid = fork();\n"
	"  if (pid == 0) {\n"
	"    if (fd >= 0 && argc > 2) { char self[32]; snprintf(self, sizeof self, \"/proc/self/fd/%d\", fd);\n"
	"      execl(argv[2], \"ld.so\", self, \"-c\", \"exit 7\", (char *)0); }\n"
	"    else if (argc > 2) execl(argv[2], \"ld.so\", \"/bin/sh\", \"-c\", \"exit 7\", (char *)0);\n"
	"    else if (fd >= 0) syscall(SYS_execveat, fd, \"\", sh, environ, AT_EMPTY_PATH);\n"
	"    else if (!strcmp(how, \"env\")) execl(\"/usr/bin/env\", \"env\", \"./helper\", \"-c\", \"exit 7\", (char *)0);\n"
	"    else if (!strcmp(how, \"stdin\")) { dup2(p[0], 0); close(p[0]); close(p[1]); execl(\"/bin/sh\", \"sh\", (char *)0); }\n"
	"    else if (!strcmp(how, \"none\")) execl(\"/bin/true\", \"true\", (char *)0);\n"
	"    else execv(\"./helper\", sh);\n"
	"    _exit(99); }\n"
	"  if (!strcmp(how, \"stdin\")) { close(p[0]); if (write(p[1], \"exit 7\\n\", 7) != 7) return 1; close(p[1]); }\n"
	"  waitpid(pid, &st, 0); printf(\"%d\\n\", WEXITSTATUS(st)); return 0; }\n";

/* Runs shell_tricks `how` (through `loader` when not NULL), watching `system`; the shell's message, or NULL. */
static const char *run_shell_trick(const char *prog, const char *how, const char *loader)
{
	static const char *const calls[] = {"system", NULL};
	struct trace_request trace = {.calls = calls};
	char *argv[] = {(char *)prog, (char *)how, (char *)loader, NULL};
	struct run_proc_spec proc = {.name = "main", .argv = argv};
	struct run_request req = fixture_request(&proc, &trace, 5000);
	if (fixture_have_result)
		run_result_release(&fixture_result);
	cr_assert_eq(run_processes(&req, &fixture_result), 0, "%s", error_last());
	fixture_have_result = true;
	cr_assert_null(fixture_result.trace.unavailable, "%s", fixture_result.trace.unavailable);
	const char *expected = strcmp(how, "none") ? "7\n" : "0\n";
	cr_assert_str_eq(fixture_result.procs[0].out.data, expected, "%s: the child did not run as meant",
			 how);
	const struct trace_call *system = trace_record_find(&fixture_result.trace, "system");
	return system ? system->first : NULL;
}

Test(trace, system_is_a_shell_recognised_by_what_runs_not_by_its_name)
{
	char *prog = fixture_compile("shell_tricks", shell_tricks);
	char *real = realpath("/bin/sh", NULL);
	cr_assert_not_null(real);
	/* A copy is the shell's bytes under another name or in memory; a link or env is the shell. */
	const struct {
		const char *how, *shell, *args;
	} tricks[] = {
		{"copy", "a copy of ", "helper -c 'exit 7'"},
		{"memfd", "a copy of ", "helper -c 'exit 7'"},
		{"link", "", "helper -c 'exit 7'"},
		{"env", "", "./helper -c 'exit 7'"},
		{"stdin", "", "sh"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(tricks); i++) {
		const char *first = run_shell_trick(prog, tricks[i].how, NULL);
		cr_assert_not_null(first, "%s: not seen as a shell", tricks[i].how);
		char *want = xasprintf("ran a shell (%s%s): %s", tricks[i].shell, real, tricks[i].args);
		cr_expect(strstr(first, want), "%s: %s, not %s", tricks[i].how, first, want);
		free(want);
	}
	cr_expect_null(run_shell_trick(prog, "none", NULL), "true is no shell");
	free(real);
	free(prog);
}

/* The dynamic loader a program names (its PT_INTERP); caller frees. */
static char *loader_of(const char *path)
{
	FILE *f = fopen(path, "re");
	cr_assert_not_null(f);
	Elf64_Ehdr eh;
	cr_assert_eq(fread(&eh, sizeof(eh), 1, f), 1);
	char *interp = NULL;
	for (int i = 0; i < eh.e_phnum && !interp; i++) {
		Elf64_Phdr ph;
		cr_assert_eq(fseek(f, (long)(eh.e_phoff + (Elf64_Off)i * sizeof(ph)), SEEK_SET), 0);
		cr_assert_eq(fread(&ph, sizeof(ph), 1, f), 1);
		if (ph.p_type != PT_INTERP)
			continue;
		interp = xcalloc(1, ph.p_filesz + 1);
		cr_assert_eq(fseek(f, (long)ph.p_offset, SEEK_SET), 0);
		cr_assert_eq(fread(interp, ph.p_filesz, 1, f), 1);
	}
	fclose(f);
	cr_assert_not_null(interp, "%s names no loader", path);
	return interp;
}

/* `ld.so /bin/sh -c ...`: the process runs the loader, which maps the shell only once it runs. */
Test(trace, a_shell_run_by_the_dynamic_loader_is_recognised_by_its_code)
{
	char *prog = fixture_compile("shell_tricks", shell_tricks);
	char *loader = loader_of("/bin/sh");
	char *real = realpath("/bin/sh", NULL);
	char *want = xasprintf("ran a shell (the code of %s, run by the dynamic loader): ld.so ", real);
	const char *const hows[] = {"loader", "memfd-loader"};
	for (size_t i = 0; i < ARRAY_SIZE(hows); i++) {
		const char *first = run_shell_trick(prog, hows[i], loader);
		cr_assert_not_null(first, "%s: not seen as a shell", hows[i]);
		cr_expect(strstr(first, want), "%s: %s", hows[i], first);
	}
	free(want);
	free(real);
	free(loader);
	free(prog);
}

Test(trace, a_copy_of_a_shell_the_grader_cannot_read_counts_as_one)
{
	char *prog = fixture_compile("shell_tricks", shell_tricks);
	const char *first = run_shell_trick(prog, "unreadable", NULL);
	cr_assert_not_null(first, "a mode 0111 copy of the shell was not seen as one");
	/* As root it reads the copy anyway; an ordinary user's tracer may not even look at it. */
	cr_expect(strstr(first, "ran a shell (a copy of ") ||
		      strstr(first, "ran a shell (a file the grader may not look at)"),
		  "%s", first);
	free(prog);
}

Test(trace, names_and_conveniences)
{
	cr_expect(trace_name_known("pipe"));
	cr_expect(trace_name_known("wait"));
	cr_expect(trace_name_known("system"));
	cr_expect(trace_name_known("shmget"));
	cr_expect_not(trace_name_known("frok"));
	cr_expect_str_eq(trace_name_meaning("dup2"), "dup2 (or dup3)");

	struct trace_record rec;
	trace_record_init(&rec);
	const char *kinds[] = {"pipe2", "dup3", "clone(thread)", "waitid"};
	rec.calls = xcalloc(ARRAY_SIZE(kinds), sizeof(*rec.calls));
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		rec.calls[rec.ncalls++] = (struct trace_call){xstrdup(kinds[i]), 1, xstrdup("x")};
	cr_expect_not_null(trace_record_find(&rec, "pipe"));
	cr_expect_not_null(trace_record_find(&rec, "pipe2"));
	cr_expect_not_null(trace_record_find(&rec, "dup2"));
	cr_expect_not_null(trace_record_find(&rec, "wait"));
	cr_expect_not_null(trace_record_find(&rec, "clone"));
	cr_expect_null(trace_record_find(&rec, "fork"), "a thread is not a fork");
	cr_expect_null(trace_record_find(&rec, "dup"));
	cr_expect_null(trace_record_find(&rec, "wait4"));
	cr_expect_null(trace_record_find(&rec, "system"));
	trace_record_release(&rec);
}

/* trace.require: {pipe: 2} counts the calls of every kind a name accepts, all processes together. */
Test(trace, counts_add_up_what_a_name_accepts)
{
	struct trace_record rec;
	trace_record_init(&rec);
	const struct trace_call calls[] = {
	    {"pipe", 1, "x"}, {"pipe2", 2, "x"}, {"clone", 1, "x"}, {"clone(thread)", 3, "x"},
	    {"vfork", 2, "x"},
	};
	rec.calls = xcalloc(ARRAY_SIZE(calls), sizeof(*rec.calls));
	for (size_t i = 0; i < ARRAY_SIZE(calls); i++)
		rec.calls[rec.ncalls++] = (struct trace_call){xstrdup(calls[i].name), calls[i].count,
							      xstrdup(calls[i].first)};
	cr_expect_eq(trace_record_count(&rec, "pipe"), 3);
	cr_expect_eq(trace_record_count(&rec, "pipe2"), 2);
	cr_expect_eq(trace_record_count(&rec, "fork"), 3, "clone making a process, and vfork");
	cr_expect_eq(trace_record_count(&rec, "clone"), 4, "literally, any clone");
	cr_expect_eq(trace_record_count(&rec, "dup2"), 0);
	trace_record_release(&rec);
}

Test(trace, inside_the_sandbox_the_record_comes_back_whole)
{
	struct sandbox *sb = sandbox_new(true);
	char *workdir = path_join(fixture_scratch, "work");
	cr_assert_eq(mkdir_p(workdir, 0755), 0);
	/* The parent exits once its child is a zombie, holding both ends, as the child did. */
	char *prog = fixture_compile("leaks_pipe",
			     ZOMBIE_OF_SOURCE
			     "#include <stdlib.h>\n#include <unistd.h>\n"
			     "int main(void) { int p[2]; if (pipe(p)) return 1;\n"
			     "  pid_t child = fork(); if (child == 0) exit(0);\n"
			     "  while (!zombie_of(child)) usleep(1000);\n"
			     "  return 0; }\n");
	fixture_install(prog, workdir, "leaks_pipe");

	static const char *const calls[] = {"pipe", "fork", "wait", NULL};
	struct trace_request trace = {.calls = calls, .zombies = true, .fds = true};
	char *argv[] = {"./leaks_pipe", NULL};
	struct run_proc_spec proc = {.name = "main", .argv = argv};
	struct run_request req = fixture_request(&proc, &trace, 5000);
	req.workdir = workdir;
	cr_assert_eq(sandbox_run(sb, &req, SANDBOX_WORKDIR_COPY, &fixture_result), 0, "%s", error_last());
	fixture_have_result = true;
	const struct trace_record *rec = &fixture_result.trace;
	cr_assert(rec->traced);
	cr_assert_null(rec->unavailable, "%s", rec->unavailable);
	cr_expect_eq(fixture_result.procs[0].exit_code, 0);
	cr_expect_not_null(trace_record_find(rec, "pipe"));
	cr_expect_not_null(trace_record_find(rec, "fork"));
	cr_expect_null(trace_record_find(rec, "wait"));
	/* The sandbox's pids: the program is pid 2 under init, its child pid 3. */
	char *fds = fixture_joined(&rec->fds);
	char *zombies = fixture_joined(&rec->zombies);
	cr_expect_eq(rec->fds.n, 4, "%s", fds);
	cr_expect(strstr(fds, "pid 3 (./leaks_pipe) exited holding fd 3 -> pipe:["), "%s", fds);
	cr_expect_str_eq(zombies, "parent ./leaks_pipe (pid 2) never waited for child "
				  "./leaks_pipe (pid 3)\n");
	cr_expect_eq(rec->nprocs, 2);
	cr_expect_gt(rec->nevents, 0);
	free(fds);
	free(zombies);
	free(prog);
	free(workdir);
	sandbox_free(sb);
}

Test(trace, a_second_process_is_attached_while_the_first_runs)
{
	/*
	 * As an ordinary user, attaching the client stops the server for the
	 * moment (see trace_attach): both are traced, both run to their end.
	 */
	struct sandbox *sb = sandbox_new(true);
	char *workdir = path_join(fixture_scratch, "work");
	cr_assert_eq(mkdir_p(workdir, 0755), 0);
	/* The server ends only once the client has opened the FIFO: it is attached while the server runs. */
	char *server[] = {"/bin/sh", "-c", "mkfifo go && echo ready && read x <go; echo bye", NULL};
	char *client[] = {"/bin/sh", "-c", "echo on >go; ls / >/dev/null; exec 6</dev/null; exit 0",
			  NULL};
	struct ready_spec ready = {.kind = READY_STDOUT, .text = "ready"};
	struct run_proc_spec procs[] = {
		{.name = "server", .argv = server, .ready = &ready},
		{.name = "client", .argv = client},
	};
	static const char *const calls[] = {"fork", "execve", NULL};
	struct trace_request trace = {.calls = calls, .zombies = true, .fds = true};
	struct run_request req = fixture_request(procs, &trace, 5000);
	req.nprocs = 2;
	req.workdir = workdir;
	cr_assert_eq(sandbox_run(sb, &req, SANDBOX_WORKDIR_COPY, &fixture_result), 0, "%s", error_last());
	fixture_have_result = true;
	const struct trace_record *rec = &fixture_result.trace;
	cr_assert_null(rec->unavailable, "%s", rec->unavailable);
	cr_expect_str_eq(fixture_result.procs[0].out.data, "ready\nbye\n");
	cr_expect_eq(fixture_result.procs[1].exit_code, 0);
	cr_expect_not(fixture_result.timed_out);
	char *fds = fixture_joined(&rec->fds);
	cr_expect_eq(rec->fds.n, 1, "%s", fds);
	cr_expect(strstr(fds, "(/bin/sh) exited holding fd 6 -> /dev/null"), "%s", fds);
	/* server, its mkfifo, the client and its ls */
	cr_expect_geq(rec->nprocs, 4);
	free(fds);
	free(workdir);
	sandbox_free(sb);
}

Test(trace, a_perturbed_second_process_is_attached_while_the_first_is_held)
{
	/* As an ordinary user, attaching pauses the others: a held server among them. */
	struct sandbox *sb = sandbox_new(true);
	char *workdir = path_join(fixture_scratch, "work");
	cr_assert_eq(mkdir_p(workdir, 0755), 0);
	char *server[] = {"/bin/sh", "-c", "echo ready; for i in 1 2 3 4 5 6 7 8; do echo $i; done",
			  NULL};
	char *client[] = {"/bin/sh", "-c", "echo client; ls / >/dev/null", NULL};
	struct ready_spec ready = {.kind = READY_STDOUT, .text = "ready"};
	struct run_proc_spec procs[] = {
		{.name = "server", .argv = server, .ready = &ready},
		{.name = "client", .argv = client},
	};
	struct trace_request trace = {.perturb = true, .seed = 99};
	struct run_request req = fixture_request(procs, &trace, 10000);
	req.nprocs = 2;
	req.workdir = workdir;
	cr_assert_eq(sandbox_run(sb, &req, SANDBOX_WORKDIR_COPY, &fixture_result), 0, "%s", error_last());
	fixture_have_result = true;
	cr_assert_null(fixture_result.trace.unavailable, "%s", fixture_result.trace.unavailable);
	cr_expect_not(fixture_result.timed_out);
	cr_expect_str_eq(fixture_result.procs[0].out.data, "ready\n1\n2\n3\n4\n5\n6\n7\n8\n");
	cr_expect_str_eq(fixture_result.procs[1].out.data, "client\n");
	cr_expect_eq(fixture_result.procs[1].exit_code, 0);
	free(workdir);
	sandbox_free(sb);
}

Test(trace, clone_untraced_is_refused_in_the_sandbox)
{
	struct sandbox *sb = sandbox_new(true);
	cr_assert(sandbox_full(sb), "the sandbox is incomplete on this machine: %s",
		  sandbox_missing(sb)->n ? sandbox_missing(sb)->v[0] : "");
	char *workdir = path_join(fixture_scratch, "work");
	cr_assert_eq(mkdir_p(workdir, 0755), 0);
	char *prog = fixture_compile("untraced",
			     "#define _GNU_SOURCE\n#include <sched.h>\n#include <signal.h>\n"
			     "#include <stdio.h>\n#include <sys/syscall.h>\n#include <unistd.h>\n"
			     "int main(void) {\n"
			     "  long r = syscall(SYS_clone, CLONE_UNTRACED | SIGCHLD, 0, 0, 0, 0);\n"
			     "  if (r == 0) _exit(0);\n"
			     "  printf(\"%s\\n\", r < 0 ? \"refused\" : \"made\"); return 0; }\n");
	fixture_install(prog, workdir, "untraced");
	char *argv[] = {"./untraced", NULL};
	struct run_proc_spec proc = {.name = "main", .argv = argv};
	struct trace_request trace = {.zombies = true};
	struct run_request req = fixture_request(&proc, &trace, 5000);
	req.workdir = workdir;
	cr_assert_eq(sandbox_run(sb, &req, SANDBOX_WORKDIR_COPY, &fixture_result), 0, "%s", error_last());
	fixture_have_result = true;
	cr_expect_str_eq(fixture_result.procs[0].out.data, "refused\n");
	cr_expect_geq(fixture_result.denied.n, 1);
	free(prog);
	free(workdir);
	sandbox_free(sb);
}

/* The whole way: a real submission graded by the built grader, its report read back. */
Test(trace, the_report_names_zombies_and_carries_the_trace)
{
	const char *argv[] = {e2e_grader(), "grade", "testcases/dup2_pipeline/spec.yaml",
			      "submissions/dup2_pipeline/lecture_zombie_bob", "--format", "json",
			      "-o", e2e_tmpdir(), NULL};
	struct e2e_run run;
	e2e_run_grader(argv, &run);
	cr_assert_eq(run.exit_code, 1, "grader exited %d: %s", run.exit_code, run.err);
	json_error_t jerr;
	json_t *report = json_loads(run.out, 0, &jerr);
	cr_assert_not_null(report, "%s", jerr.text);
	json_t *test = e2e_find_test(report, "another directory");
	cr_assert_not_null(test);
	const char *zombies = NULL, *require = NULL;
	size_t i;
	json_t *check;
	json_array_foreach(json_object_get(test, "checks"), i, check) {
		const char *kind = json_string_value(json_object_get(check, "kind"));
		const char *message = json_string_value(json_object_get(check, "message"));
		if (!strcmp(kind, "cleanup.zombies"))
			zombies = message;
		if (!strcmp(kind, "trace.require"))
			require = message;
	}
	cr_assert_not_null(zombies);
	cr_expect(strstr(zombies, "parent wc (pid 2, started as ./dup2) never waited for child "
				  "ls (pid 3"),
		  "%s", zombies);
	cr_expect_str_eq(require, "never called wait (wait4 or waitid)");
	json_t *trace = json_object_get(test, "trace");
	cr_assert(json_is_object(trace), "no tests[].trace");
	cr_expect_geq(json_array_size(json_object_get(trace, "processes")), 2);
	cr_expect_gt(json_array_size(json_object_get(trace, "events")), 0);
	cr_expect(json_is_integer(json_object_get(json_object_get(trace, "calls"), "dup2")));
	json_decref(report);
	e2e_run_release(&run);
}
