package autolog

// Going on into the local spool when the tracking server cannot be reached.

import (
	"context"
	"time"

	"github.com/grove-ml/grove/tracking"
	"github.com/grove-ml/grove/tracking/store"
)

// spooled moves the run into Options.Spool when err says the server
// cannot be reached: a new run there, with the same name, start time and
// tags and the tag grove.sync.continues_run_id naming the server's run,
// receives again everything logged before training. It reports whether the
// run moved; the server's run is left as it is, for cmd/sync to complete.
func (a *autolog) spooled(ctx context.Context, err error) bool {
	if a.opts.Spool == nil || a.inSpool || !tracking.Unreachable(err) {
		return false
	}
	spool, serr := a.opts.Spool(ctx)
	if serr != nil {
		return false
	}
	opts := a.opts
	opts.RunName = a.run.Name()
	opts.Tags = map[string]string{continuesTag: a.run.ID()}
	for k, v := range a.opts.Tags {
		opts.Tags[k] = v
	}
	run, serr := startRun(ctx, spool, opts, a.src, a.srcFound, time.UnixMilli(a.run.Info().StartTime))
	if serr != nil {
		return false
	}
	from := a.c.URI()
	prev, prevOwn := a.run, a.own
	a.c, a.run, a.own, a.inSpool = spool, run, true, true
	if err := a.logBeforeTraining(ctx); err != nil {
		_ = run.EndWithError(ctx, store.StatusFailed, err) // not left RUNNING in the spool
		a.c, a.run, a.own, a.inSpool = prev.Client(), prev, prevOwn, false
		return false
	}
	a.res.SpooledFrom = from
	a.res.Run, a.res.RunID, a.res.RunName = run, run.ID(), run.Name()
	a.res.ExperimentID, a.res.ArtifactURI = run.ExperimentID(), run.ArtifactURI()
	if !prevOwn {
		// The caller's run is now the spool's: the caller ends it.
		a.own = false
	}
	return true
}

// MoveToSpool records the run Fit recorded, whole, into Options.Spool
// again when err, from what the caller logged to the run after Fit, says
// that the server cannot be reached: for a caller that passed its own run
// (Options.Run) and records more after Fit. It returns the spool's run,
// left running for the caller to finish recording and end, and true; or
// nil and false when the run cannot move (no spool, another error, the
// run already in the spool, or Fit did not succeed). The server's run is
// left as it is, for cmd/sync to complete.
func (r *Result) MoveToSpool(ctx context.Context, err error) (*tracking.Run, bool) {
	a := r.a
	if a == nil || r.ev == nil || !a.spooled(ctx, err) {
		return nil, false
	}
	if lerr := a.logAfterTraining(ctx, r.ev); lerr != nil {
		_ = a.run.EndWithError(ctx, store.StatusFailed, lerr)
		return nil, false
	}
	return a.run, true
}

// continuesTag is tracking/sync's TagContinuesRunID; autolog does not
// import the sync package for one name.
const continuesTag = "grove.sync.continues_run_id"
