package sqlstore

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/grove-ml/grove/tracking/sqlstore/internal/lite"
)

// Copying the write-ahead log back into the database file (a checkpoint)
// writes every page the log holds and waits for two fsyncs. SQLite would
// do it inside the commit that takes the log past its threshold, and that
// call to LogBatch or LogMetric would take several times as long as the
// others. A Store instead checkpoints on a goroutine of its own, told of
// every commit, while the logging goes on.

// walCheckpointFrames is how many frames (pages) the log may hold before
// it is checkpointed: 16 MB of 4 KiB pages. A log this long still gives a
// reader its pages quickly, and hot index pages, rewritten by every batch,
// are copied back once per checkpoint rather than once per commit.
var walCheckpointFrames = 4000

// checkpointer copies the log back into the database file in the
// background. It checkpoints passively, without waiting for anyone, so
// writers never wait for it. A passive checkpoint lets the log start again
// from its beginning only if it ends before the next transaction begins; a
// process that writes without pause could outrun it and let the log grow
// without bound. So when the log has grown to four times the threshold, the
// next write of this process checkpoints first, waiting for the readers of
// old pages, as SQLite's own checkpoints in the committing connection do
// (Store.writeOnce).
type checkpointer struct {
	conn   *lite.Conn
	frames atomic.Int64       // the log's length in frames when last looked at
	kick   chan struct{}      // a commit happened
	full   chan chan struct{} // a writer waits for a whole checkpoint
	stop   chan struct{}
	done   chan struct{}
	once   sync.Once
}

func startCheckpointer(path string) (*checkpointer, error) {
	// synchronous = NORMAL: the log is synced before its pages are copied
	// and the database file after, as SQLite's own checkpoints do in WAL
	// mode.
	conn, err := lite.Open(path, busyTimeout, "synchronous = NORMAL")
	if err != nil {
		return nil, err
	}
	cp := &checkpointer{conn: conn, kick: make(chan struct{}, 1), full: make(chan chan struct{}), stop: make(chan struct{}), done: make(chan struct{})}
	go cp.run()
	return cp, nil
}

// committed tells the checkpointer that the log has grown; it never blocks.
// The schema's creation, before the checkpointer starts, tells nobody.
func (cp *checkpointer) committed() {
	if cp == nil {
		return
	}
	select {
	case cp.kick <- struct{}{}:
	default:
	}
}

func (cp *checkpointer) run() {
	defer close(cp.done)
	for {
		select {
		case <-cp.stop:
			return
		case reply := <-cp.full:
			// Waits for the readers of old pages (up to the busy
			// timeout); one that outlasts it leaves the log as it was.
			if _, _, err := cp.conn.Checkpoint(lite.CheckpointRestart); err == nil {
				cp.frames.Store(0)
			}
			close(reply)
			continue
		case <-cp.kick:
		}
		frames, copied, err := cp.conn.Checkpoint(lite.CheckpointNoop)
		if err != nil {
			continue
		}
		cp.frames.Store(int64(frames))
		if frames-copied < walCheckpointFrames {
			continue
		}
		// A failed checkpoint loses nothing: the log keeps every page,
		// and the next commit tries again.
		cp.conn.Checkpoint(lite.CheckpointPassive)
	}
}

// overgrown reports whether the log has grown to four times the threshold,
// which the background checkpoints did not prevent.
func (cp *checkpointer) overgrown() bool {
	return cp != nil && cp.frames.Load() >= 4*int64(walCheckpointFrames)
}

// restart copies the whole log into the database file, so that the next
// transaction starts it again, and returns when that is done or ctx ends.
func (cp *checkpointer) restart(ctx context.Context) {
	reply := make(chan struct{})
	select {
	case cp.full <- reply:
	case <-ctx.Done():
		return
	case <-cp.done:
		return
	}
	select {
	case <-reply:
	case <-ctx.Done():
	}
}

// close stops the checkpointer; the database's last connection to close
// checkpoints what is left.
func (cp *checkpointer) close() error {
	if cp == nil {
		return nil
	}
	var err error
	cp.once.Do(func() {
		close(cp.stop)
		<-cp.done
		err = cp.conn.Close()
	})
	return err
}
