/* fatal.h: what happens when the program dies of a fatal signal it does not handle (SIGSEGV, SIGBUS, SIGILL,
 * SIGFPE, SIGABRT): the exit report is made (errors so far, the leak scan, JSON with exit_path "signal"), then
 * the signal is raised again with its default action, so the exit status (139, 134, ...) and any core dump stay
 * the program's. Layer 6, above init: the guard-page crash explainer is built on this path. */
#ifndef LC_FATAL_H
#define LC_FATAL_H

// Called by fatal.c's constructor: takes the fatal signals whose action is still the default. A program that installs its
// own handler later keeps it (and its own crash handling).
void lc_fatal_install(void);
// The fatal signal being reported, 0 when none.
int lc_fatal_signal(void);

#endif
