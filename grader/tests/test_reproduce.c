/*
 * reproduce: the command lines a failed test shows, built from hand-made
 * test specs — every argument quoted as a shell needs it, stdin as the
 * test gave it (piped text, a fixture, /dev/null, or a file to make), the
 * working folder's files, a program run without arguments said so.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reproduce.h"
#include "util.h"

static struct test_spec spec;
static struct reproduce *rep;
static char *dir;

static void teardown(void)
{
	reproduce_free(rep);
	rep = NULL;
	for (size_t i = 0; i < spec.nprocs; i++) {
		strvec_clear(&spec.procs[i].argv);
		free(spec.procs[i].name);
		free(spec.procs[i].stdin_data);
		free(spec.procs[i].stdin_file);
		free(spec.procs[i].ready.text);
	}
	free(spec.procs);
	free(spec.files);
	memset(&spec, 0, sizeof(spec));
	if (dir)
		remove_tree(dir);
	free(dir);
	dir = NULL;
}

TestSuite(reproduce, .fini = teardown, .timeout = 10);

/* Adds a process running argv (NULL-terminated) with stdin text (NULL: none) of len bytes. */
static struct process_spec *add_proc(const char *name, const char *const *argv, const char *in,
				     size_t len)
{
	spec.procs = xrealloc(spec.procs, (spec.nprocs + 1) * sizeof(*spec.procs));
	struct process_spec *p = &spec.procs[spec.nprocs++];
	memset(p, 0, sizeof(*p));
	p->name = xstrdup(name);
	strvec_init(&p->argv);
	strvec_pushv(&p->argv, argv);
	if (in) {
		p->stdin_data = xmemdup0(in, len);
		p->stdin_len = len;
	}
	return p;
}

static const char *command(size_t i)
{
	return rep->procs[i].command;
}

Test(reproduce, arguments_are_quoted_as_a_shell_needs_them)
{
	add_proc("main", (const char *const[]){"./prog", "dir", "a b", "it's", "", "x\ty", NULL},
		 NULL, 0);
	rep = reproduce_new(&spec, "/spec");
	cr_expect_str_eq(command(0), "./prog dir 'a b' 'it'\\''s' '' $'x\\ty' < /dev/null");
	cr_expect_eq(rep->procs[0].argv.n, 6);
	cr_expect_null(rep->procs[0].stdin_text);
	cr_expect_null(strstr(rep->text, "no arguments"), "%s", rep->text);
}

Test(reproduce, a_program_run_without_arguments_says_so)
{
	add_proc("main", (const char *const[]){"./pipe_hello", NULL}, NULL, 0);
	rep = reproduce_new(&spec, "/spec");
	cr_expect_str_eq(command(0), "./pipe_hello < /dev/null");
	cr_expect_str_eq(rep->text, "In the folder of your build, run:\n"
				    "  ./pipe_hello < /dev/null    # no arguments\n");
}

Test(reproduce, short_stdin_is_piped_in_line_by_line)
{
	const char in[] = "How are you\n100% 'sure'\n";
	add_proc("main", (const char *const[]){"./two_pipes", NULL}, in, sizeof(in) - 1);
	rep = reproduce_new(&spec, "/spec");
	cr_expect_str_eq(command(0),
			 "printf '%s\\n' 'How are you' '100% '\\''sure'\\''' | ./two_pipes");
	cr_expect_str_eq(rep->procs[0].stdin_text, in);
	cr_expect_eq(rep->procs[0].stdin_bytes, sizeof(in) - 1);
	cr_expect_not(rep->procs[0].stdin_shortened);
}

Test(reproduce, a_last_line_without_newline_keeps_its_lack)
{
	add_proc("main", (const char *const[]){"./prog", NULL}, "a\n\nb", 4);
	rep = reproduce_new(&spec, "/spec");
	cr_expect_str_eq(command(0), "printf '%s\\n%s\\n%s' a '' b | ./prog");
}

Test(reproduce, long_or_strange_stdin_is_read_from_a_file_and_shown_cut)
{
	char *big = xmalloc(5000);
	memset(big, 'x', 5000);
	add_proc("main", (const char *const[]){"./prog", "1", NULL}, big, 5000);
	add_proc("other", (const char *const[]){"./prog", "2", NULL}, "a\x04" "b\n", 4);
	free(big);
	rep = reproduce_new(&spec, "/spec");
	cr_expect_str_eq(command(0), "./prog 1 < stdin.txt");
	cr_expect(rep->procs[0].stdin_shortened);
	cr_expect_eq(strlen(rep->procs[0].stdin_text), REPRODUCE_STDIN_SHOWN);
	cr_expect_eq(rep->procs[0].stdin_bytes, 5000);
	cr_expect_not_null(strstr(rep->text, "stdin.txt holds the test's stdin, 5000 bytes: \"xxx"),
			   "%s", rep->text);
	cr_expect_not_null(strstr(rep->text, "(the first bytes only)"), "%s", rep->text);
	/* A control byte could not be typed on a command line: it is shown escaped. */
	cr_expect_str_eq(command(1), "./prog 2 < stdin.txt");
	cr_expect_not_null(strstr(rep->text, "4 bytes: \"a\\x04b\\n\""), "%s", rep->text);
}

Test(reproduce, a_stdin_fixture_is_named_as_the_spec_names_it)
{
	struct process_spec *p = add_proc("main", (const char *const[]){"./prog", NULL}, NULL, 0);
	p->stdin_file = xstrdup("/course/pipe/fixtures/question.txt");
	rep = reproduce_new(&spec, "/course/pipe");
	cr_expect_str_eq(command(0), "./prog < fixtures/question.txt");
	cr_expect_str_eq(rep->procs[0].stdin_file, "fixtures/question.txt");
}

Test(reproduce, the_working_folder_lists_the_test_s_files)
{
	dir = xstrdup("/tmp/reproduce-test-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	char *fixtures = path_join(dir, "fixtures");
	cr_assert_eq(mkdir(fixtures, 0755), 0);
	for (int i = 0; i < REPRODUCE_FILES_SHOWN + 2; i++) {
		char *name = xasprintf("%s/f%02d", fixtures, i);
		cr_assert_eq(i % 2 ? mkdir(name, 0755) : write_file_atomic(name, "", 0), 0);
		free(name);
	}
	add_proc("main", (const char *const[]){"./prog", NULL}, NULL, 0);
	spec.files = fixtures;
	spec.env = (struct env_var[]){{"GREETING", "hi there"}};
	spec.nenv = 1;
	rep = reproduce_new(&spec, dir);
	spec.env = NULL;
	spec.nenv = 0;
	cr_expect_str_eq(rep->files_from, "fixtures");
	cr_expect_eq(rep->files.n, REPRODUCE_FILES_SHOWN);
	cr_expect_eq(rep->files.more, 2);
	cr_expect_str_eq(rep->files.v[0], "f00");
	cr_expect_str_eq(rep->files.v[1], "f01/");
	cr_expect_str_eq(command(0), "GREETING='hi there' ./prog < /dev/null");
	cr_expect_not_null(strstr(rep->text, "In a folder with your build and the files of fixtures "
					     "(f00, f01/, f02, "),
			   "%s", rep->text);
	cr_expect_not_null(strstr(rep->text, "f09/ and 2 more), run:"), "%s", rep->text);
}

Test(reproduce, processes_of_one_test_say_when_each_starts)
{
	struct process_spec *server =
	    add_proc("server", (const char *const[]){"./shm_server", NULL}, NULL, 0);
	server->ready.kind = READY_STDOUT;
	server->ready.text = xstrdup("ready");
	server->tty = true;
	add_proc("client", (const char *const[]){"./shm_client", "hi", NULL}, NULL, 0)->ready.kind =
	    READY_EXIT;
	add_proc("checker", (const char *const[]){"./check", NULL}, NULL, 0);
	spec.multi = true;
	rep = reproduce_new(&spec, "/spec");
	cr_expect_null(rep->procs[0].start);
	cr_expect_str_eq(rep->procs[1].start, "once a line of server's stdout contains \"ready\"");
	cr_expect_str_eq(rep->procs[2].start, "once client has exited");
	/* At a terminal there is nothing to redirect: the student types the input. */
	cr_expect_str_eq(command(0), "./shm_server");
	cr_expect_str_eq(rep->text,
			 "In the folder of your build, run each in a terminal of its own:\n"
			 "  ./shm_server    # server; no arguments; at a terminal (tty: true): press "
			 "Ctrl-D if it reads stdin\n"
			 "  ./shm_client hi < /dev/null    # client, once a line of server's stdout "
			 "contains \"ready\"\n"
			 "  ./check < /dev/null    # checker, once client has exited; no arguments\n");
}
