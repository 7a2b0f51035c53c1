/* main.c: argv to options, dump_run(), the error line and the exit status
 * (0 success, 1 failure, 2 VMCOREINFO release mismatch: cli.md section 8). */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "codec.h"
#include "dump.h"
#include "opts.h"
#include "report.h"
#include "version.h"

static void print_version(void)
{
	printf("makedumpfile: version %s (released on %s)\n",
	       MDF_VERSION, MDF_RELEASE_DATE);
	printf("lzo\t%s\n", codec_find(CODEC_LZO) ? "enabled" : "disabled");
	printf("snappy\t%s\n", codec_find(CODEC_SNAPPY) ? "enabled" : "disabled");
	printf("zstd\t%s\n", codec_find(CODEC_ZSTD) ? "enabled" : "disabled");
	printf("zlib\tenabled\n");
	printf("\n");
}

/* A mapped input that shrinks, or whose device fails, under us raises
 * SIGBUS on the next access to it.  Nothing can be recovered there: say
 * what happened (async-signal-safe) and fail, never dump core silently. */
static void on_sigbus(int sig)
{
	static const char msg[] =
		"\nmakedumpfile: reading the dump through its memory mapping failed (SIGBUS): the file was truncated while in use or its device reported an error; --non-mmap reads it with read(2) instead\n\nmakedumpfile Failed.\n";

	(void)sig;
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
		/* nothing more to say */
	}
	_exit(1);
}

/* SIGINT, SIGTERM, SIGHUP mid-dump: nothing is patched up.  A seekable
 * dump file says INCOMPLETE in its header from the first write until the
 * final one (writer_kdump.c, writer_elf.c) and a flattened stream has no
 * end marker yet, so stopping here never leaves a file that claims to be
 * complete.  Say so, then die of the signal (the shell sees 128 + sig). */
static void on_stop(int sig)
{
	static const char head[] = "\nmakedumpfile: interrupted by ";
	static const char tail[] =
		": stopped; a dump file it was writing is left marked incomplete (or a -F stream without its end marker)\n\nmakedumpfile Failed.\n";
	const char *name = sig == SIGINT ? "SIGINT" :
			   sig == SIGTERM ? "SIGTERM" : "SIGHUP";

	if (write(STDERR_FILENO, head, sizeof(head) - 1) < 0 ||
	    write(STDERR_FILENO, name, strlen(name)) < 0 ||
	    write(STDERR_FILENO, tail, sizeof(tail) - 1) < 0) {
		/* nothing more to say */
	}
	raise(sig);		/* SA_RESETHAND: the default action now */
	_exit(1);
}

int main(int argc, char **argv)
{
	struct mdf_err err = { 0 };
	struct report rep;
	struct opts o;
	int rc;

	rc = opts_parse(&o, argc, argv, &err);
	report_init(&rep, rc < 0 ? ML_DEFAULT : o.message_level,
		    o.flatten || (rc == 0 && o.mode == MODE_SHOW_VMCOREINFO));
	if (rc < 0) {
		/* makedumpfile prints these as common messages */
		if (err.msg[0])
			report_msg(&rep, "%s", err.msg);
		if (!o.value_error) {
			report_msg(&rep, "Commandline parameter is invalid.");
			report_msg(&rep, "Try `makedumpfile --help' for more information.");
		}
		if (!o.check_params)
			report_msg(&rep, "\nmakedumpfile Failed.");
		return 1;
	}
	if (o.mode == MODE_HELP) {
		print_version();
		opts_print_help(stdout);
		return 0;
	}
	if (o.mode == MODE_VERSION) {
		print_version();
		return 0;
	}

	signal(SIGBUS, on_sigbus);
	{
		struct sigaction sa = { .sa_handler = on_stop,
					.sa_flags = SA_RESETHAND | SA_NODEFER };

		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
	}
	rc = dump_run(&o, &rep, &err);
	report_deinit(&rep);
	if (o.check_params) {
		/* no "makedumpfile Failed.": nothing was attempted */
		if (rc < 0 && err.msg[0])
			report_error(&rep, "%s", err.msg);
		return rc < 0 ? 1 : 0;
	}
	if (rc < 0) {
		/* an empty message was printed where it happened */
		if (err.msg[0])
			report_error(&rep, "%s", err.msg);
		report_msg(&rep, "\nmakedumpfile Failed.");
		return err.code == MDF_EMISMATCH ? 2 : 1;
	}
	if (o.mode != MODE_MEM_USAGE && o.mode != MODE_SHOW_VMCOREINFO)
		report_msg(&rep, "\nmakedumpfile Completed.");
	return 0;
}
