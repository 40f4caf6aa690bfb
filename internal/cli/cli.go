package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// Exit statuses of grove's commands.
const (
	ExitOK          = 0   // done, or the help was asked for and shown
	ExitFailure     = 1   // the command line was fine but the work failed
	ExitUsage       = 2   // the command line cannot be run as given
	ExitInterrupted = 130 // stopped by Ctrl-C, as shells report SIGINT; see SignalError.ExitCode for the others
)

// TrainExperiment is the experiment cmd/train records into and cmd/report
// charts when no experiment is named, so the two commands meet by default.
// A library caller of autolog.Fit lands in MLflow's own default instead,
// autolog.MLflowDefaultExperiment.
const TrainExperiment = "random_forest"

// UsageError is a command line that cannot be run: a bad flag value, a
// missing flag, flags that exclude each other. Exit gives it ExitUsage.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Usagef returns a *UsageError with the formatted message.
func Usagef(format string, args ...any) error {
	return &UsageError{Msg: fmt.Sprintf(format, args...)}
}

// OneLine folds every run of white space, line breaks included, into one
// space, so a wrapped multi-line message prints as the one line promised.
func OneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// Canceled reports whether err comes from a cancelled context, which is how
// an interrupt reaches a command that watches its context.
func Canceled(err error) bool { return errors.Is(err, context.Canceled) }

// Command says how one command reports the error that ended it.
type Command struct {
	// Name starts every line printed, "train: ...".
	Name string
	// Interrupted reports whether err ended the command because the user
	// interrupted it. Nil means an interrupted command fails like any
	// other, with ExitFailure and its error's message.
	Interrupted func(err error) bool
	// InterruptNote prints, after "interrupted", what err says beyond the
	// bare cancellation (which run was marked KILLED, where a model was
	// saved). Without it an interrupt prints "interrupted" alone.
	InterruptNote bool
	// Verbatim prints messages as they are, line breaks included, for a
	// command that relays other programs' output in its errors. Otherwise
	// messages are folded by OneLine.
	Verbatim bool
}

// Exit prints err on stderr as "name: message" and returns the exit status
// for it; nil and flag.ErrHelp (the help has been shown) print nothing and
// return ExitOK. An interruption that WithCause ties to a signal names the
// signal and exits with its status (SignalError.ExitCode). A failure whose
// message already starts with "name: " is not named twice.
func (c Command) Exit(err error, stderr io.Writer) int {
	var ue *UsageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return ExitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "%s: %s\n", c.Name, c.line(err.Error()))
		return ExitUsage
	case c.Interrupted != nil && c.Interrupted(err):
		note := ""
		if msg := OneLine(err.Error()); c.InterruptNote && msg != context.Canceled.Error() {
			note = ": " + msg
		}
		code, by := ExitInterrupted, ""
		if se := (*SignalError)(nil); errors.As(err, &se) {
			code, by = se.ExitCode(), " by "+SignalName(se.Signal)
			note = strings.TrimSuffix(note, ": "+se.Error())
		}
		fmt.Fprintf(stderr, "%s: interrupted%s%s\n", c.Name, by, note)
		return code
	default:
		fmt.Fprintf(stderr, "%s: %s\n", c.Name, c.line(strings.TrimPrefix(err.Error(), c.Name+": ")))
		return ExitFailure
	}
}

func (c Command) line(s string) string {
	if c.Verbatim {
		return s
	}
	return OneLine(s)
}
