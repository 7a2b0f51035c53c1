/* dump.h: the whole pipeline for one run (src/dump.c alone knows it). */
#ifndef DUMP_H
#define DUMP_H

#include "mdf_err.h"
#include "opts.h"
#include "report.h"

/** Run the mode o->mode asks for.  0 on success; on failure a negative
 * code with err filled (main.c prints it and picks the exit status). */
int dump_run(const struct opts *o, struct report *r, struct mdf_err *err);

#endif
