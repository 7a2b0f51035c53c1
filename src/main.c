/* main.c: argv to options, dump_run(), the error line and the exit status
 * (0 success, 1 failure, 2 VMCOREINFO release mismatch: cli.md section 8). */
#include <stdio.h>
#include <string.h>

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
