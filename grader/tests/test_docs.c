/*
 * The manual page (docs/grader.1) and the bash completion
 * (contrib/completion/grader.bash): the page renders cleanly (mandoc's
 * lint), both know every command `grader --help` lists and every flag that
 * `grader <command> --help` prints, and `make install` puts them where man and
 * bash-completion look.
 */
#include <criterion/criterion.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "e2e_util.h"
#include "util.h"

#define MAN_PAGE "docs/grader.1"
#define COMPLETION "contrib/completion/grader.bash"
#define MANDOC "/usr/bin/mandoc"

TestSuite(docs, .timeout = 120);

static const char *repo(void)
{
	return getenv("GRADER_ROOT") ? getenv("GRADER_ROOT") : ".";
}

/* A shell command's standard output (its stderr joined); *status its exit status. */
static char *output_of(const char *cmd, int *status)
{
	char *line = xasprintf("cd '%s' && { %s; } 2>&1", repo(), cmd);
	FILE *p = popen(line, "r");
	cr_assert_not_null(p, "%s", line);
	struct strbuf sb = STRBUF_INIT;
	strbuf_init(&sb);
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		strbuf_add(&sb, buf, n);
	int st = pclose(p);
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	free(line);
	return strbuf_detach(&sb, NULL);
}

/* The long flags ("--test") of a command's usage lines, its --help up to the first blank line. */
static struct strvec help_flags(const char *command)
{
	char *cmd = xasprintf("'%s' %s --help", e2e_grader(), command);
	int status;
	char *help = output_of(cmd, &status);
	cr_assert_eq(status, 0, "%s: %s", cmd, help);
	char *blank = strstr(help, "\n\n");
	if (blank)
		*blank = '\0';
	struct strvec flags = STRVEC_INIT;
	strvec_init(&flags);
	regex_t re;
	cr_assert_eq(regcomp(&re, "--[a-z][a-z-]*", REG_EXTENDED), 0);
	regmatch_t m;
	for (const char *p = help; regexec(&re, p, 1, &m, 0) == 0; p += m.rm_eo) {
		char *flag = xstrndup(p + m.rm_so, (size_t)(m.rm_eo - m.rm_so));
		if (!strvec_contains(&flags, flag))
			strvec_push(&flags, flag);
		free(flag);
	}
	regfree(&re);
	free(help);
	free(cmd);
	return flags;
}

/* The commands `grader --help` lists ("  grader batch ..."). */
static struct strvec help_commands(void)
{
	char *cmd = xasprintf("'%s' --help", e2e_grader());
	int status;
	char *help = output_of(cmd, &status);
	cr_assert_eq(status, 0, "%s: %s", cmd, help);
	struct strvec commands = STRVEC_INIT;
	strvec_init(&commands);
	for (const char *line = help; (line = strstr(line, "\n  grader ")); line++) {
		const char *word = line + 10;
		size_t len = 0;
		while (word[len] >= 'a' && word[len] <= 'z')
			len++;
		if (len) {
			char *name = xstrndup(word, len);
			strvec_push(&commands, name);
			free(name);
		}
	}
	cr_assert_geq(commands.n, 4, "%s", help);
	free(help);
	free(cmd);
	return commands;
}

Test(docs, man_page_renders_without_a_warning)
{
	cr_assert(access(MANDOC, X_OK) == 0,
		  MANDOC " is missing: it is a test dependency (Debian package mandoc; `make "
			 "test-deps` installs it)");
	int status;
	char *lint = output_of(MANDOC " -T lint -W warning " MAN_PAGE, &status);
	cr_expect_eq(status, 0, "mandoc: %s", lint);
	cr_expect_str_empty(lint);
	free(lint);
	char *text = output_of(MANDOC " -T utf8 " MAN_PAGE " | sed 's/.\\x08//g'", &status);
	cr_expect_eq(status, 0, "%s", text);
	const char *sections[] = {"NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXIT STATUS"};
	for (size_t i = 0; i < ARRAY_SIZE(sections); i++)
		cr_expect(strstr(text, sections[i]), "no %s: %s", sections[i], text);
	free(text);
}

Test(docs, man_page_names_every_command_and_flag)
{
	char *path = path_join(repo(), MAN_PAGE);
	struct strbuf page = STRBUF_INIT;
	strbuf_init(&page);
	cr_assert_eq(read_file(path, &page), 0, "%s", error_last());
	/* roff writes a hyphen-minus as \-. */
	struct strbuf plain = STRBUF_INIT;
	strbuf_init(&plain);
	for (size_t i = 0; i < page.len; i++)
		if (!(page.buf[i] == '\\' && page.buf[i + 1] == '-'))
			strbuf_addch(&plain, page.buf[i]);
	struct strvec commands = help_commands();
	for (size_t c = 0; c < commands.n; c++) {
		char *synopsis = xasprintf(".B grader %s\n", commands.v[c]);
		cr_expect(strstr(plain.buf, synopsis), "the page has no synopsis of %s", commands.v[c]);
		free(synopsis);
		struct strvec flags = help_flags(commands.v[c]);
		for (size_t i = 0; i < flags.n; i++)
			cr_expect(strstr(plain.buf, flags.v[i]), "%s %s is not in " MAN_PAGE,
				  commands.v[c], flags.v[i]);
		strvec_clear(&flags);
	}
	strvec_clear(&commands);
	strbuf_release(&plain);
	strbuf_release(&page);
	free(path);
}

/* What _grader offers for the words given (the last one being completed), one per line. */
static char *complete(const char *words)
{
	char *cmd = xasprintf(
	    "bash --norc --noprofile -c 'source " COMPLETION "; COMP_WORDS=(%s); "
	    "COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _grader; printf \"%%s\\n\" \"${COMPREPLY[@]}\"'",
	    words);
	int status;
	char *out = output_of(cmd, &status);
	cr_assert_eq(status, 0, "%s: %s", cmd, out);
	free(cmd);
	return out;
}

/* Whether the line `word` is one of the offers. */
static bool offered(const char *offers, const char *word)
{
	size_t len = strlen(word);
	for (const char *p = offers; (p = strstr(p, word)); p++)
		if ((p == offers || p[-1] == '\n') && p[len] == '\n')
			return true;
	return false;
}

Test(docs, completion_offers_the_commands_and_each_command_s_flags)
{
	struct strvec commands = help_commands();
	char *offers = complete("grader \"\"");
	for (size_t c = 0; c < commands.n; c++)
		cr_expect(offered(offers, commands.v[c]), "%s not offered: %s", commands.v[c], offers);
	cr_expect(offered(offers, "--help") && offered(offers, "--version"), "%s", offers);
	free(offers);
	for (size_t c = 0; c < commands.n; c++) {
		char *words = xasprintf("grader %s --", commands.v[c]);
		offers = complete(words);
		struct strvec flags = help_flags(commands.v[c]);
		for (size_t i = 0; i < flags.n; i++)
			cr_expect(offered(offers, flags.v[i]), "grader %s: %s not offered: %s",
				  commands.v[c], flags.v[i], offers);
		strvec_clear(&flags);
		free(offers);
		free(words);
	}
	strvec_clear(&commands);
}

Test(docs, completion_offers_spec_folders_test_names_and_formats)
{
	char *offers = complete("grader grade testcases/pipe_h");
	cr_expect(offered(offers, "testcases/pipe_hello"), "%s", offers);
	free(offers);
	offers = complete("grader check --spec testcases/pipe_hello --test \"\"");
	/* Names with spaces come quoted, ready for the command line. */
	cr_expect(offered(offers, "default\\ message"), "%s", offers);
	cr_expect(offered(offers, "long\\ message\\ from\\ the\\ command\\ line"), "%s", offers);
	free(offers);
	offers = complete("grader grade --format \"\"");
	cr_expect_str_eq(offers, "human\njson\n");
	free(offers);
}

Test(docs, make_install_puts_the_page_and_the_completion_in_place)
{
	char *dest = path_join(e2e_tmpdir(), "install");
	/* -o: the grader already built is installed as it is. */
	char *cmd = xasprintf("make -s -o build/grader install DESTDIR='%s' PREFIX=/usr", dest);
	int status;
	char *out = output_of(cmd, &status);
	cr_assert_eq(status, 0, "%s: %s", cmd, out);
	const char *installed[] = {"usr/bin/grader", "usr/share/man/man1/grader.1",
				   "usr/share/bash-completion/completions/grader"};
	for (size_t i = 0; i < ARRAY_SIZE(installed); i++) {
		char *path = path_join(dest, installed[i]);
		cr_expect(path_exists(path), "make install did not write %s", installed[i]);
		free(path);
	}
	free(out);
	free(cmd);
	free(dest);
}
