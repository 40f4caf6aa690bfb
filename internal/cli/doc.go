// Package cli holds what grove's commands (cmd/train, cmd/report and
// experiments/sweep) share about ending: how a bad command line is told apart
// from any other failure, the exit status each kind of ending gets, and how the
// error is printed on standard error.
//
// A command returns a *UsageError (made with Usagef) for a command line it
// cannot run, and any other error for a failure past that point. main hands
// the error to its Command's Exit, which prints it as "name: message" and
// picks the status: 0 done or help shown, 2 bad command line, 128 plus the
// signal's number when a signal stopped it (130 SIGINT, 143 SIGTERM, 129
// SIGHUP), 1 anything else. NotifyContext turns those signals into a
// cancelled context whose cause names the signal. The statuses are part of
// each command's promise to scripts, so they live here once rather than in
// three copies that could drift apart.
package cli
