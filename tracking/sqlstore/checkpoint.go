package sqlstore

import (
	"errors"
	"sync"

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
// without bound. So a writer looks at the log before its transaction, on a
// connection of its own, and when the log has grown to four times the
// threshold it checkpoints passively itself, as SQLite's own checkpoints in
// the committing connection do (Store.writeOnce): no writer of the process
// runs meanwhile, so once that checkpoint has copied the whole log, the
// transaction that follows starts it again.
type checkpointer struct {
	conn  *lite.Conn    // the goroutine's
	probe *lite.Conn    // the writers', one at a time (Store.wmu)
	mu    sync.Mutex    // one checkpoint of this process at a time
	kick  chan struct{} // a commit happened
	stop  chan struct{}
	done  chan struct{}
	once  sync.Once
}

func startCheckpointer(path string) (*checkpointer, error) {
	// With synchronous = NORMAL (pragmas), the log is synced before its
	// pages are copied and the database file after, as SQLite's own
	// checkpoints do in WAL mode.
	conn, err := openConn(path, false)
	if err != nil {
		return nil, err
	}
	probe, err := openConn(path, false)
	if err != nil {
		conn.Close()
		return nil, err
	}
	cp := &checkpointer{conn: conn, probe: probe, kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
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
		case <-cp.kick:
		}
		cp.mu.Lock()
		frames, copied, err := cp.conn.Checkpoint(lite.CheckpointNoop)
		if err == nil && frames-copied >= walCheckpointFrames {
			// A failed checkpoint loses nothing: the log keeps every
			// page, and the next commit tries again.
			cp.conn.Checkpoint(lite.CheckpointPassive)
		}
		cp.mu.Unlock()
	}
}

// beforeWrite checkpoints the log passively when it has grown to four
// times the threshold, after the goroutine's checkpoint if one is under
// way (SQLite would refuse a second at once). Writers call it one at a
// time, before their transaction.
func (cp *checkpointer) beforeWrite() {
	if cp == nil {
		return
	}
	// A log copied whole needs no checkpoint: the transaction starts it
	// again unless a reader still uses it.
	frames, copied, err := cp.probe.Checkpoint(lite.CheckpointNoop)
	if err != nil || frames < 4*walCheckpointFrames || copied == frames {
		return
	}
	cp.mu.Lock()
	defer cp.mu.Unlock()
	cp.probe.Checkpoint(lite.CheckpointPassive)
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
		err = errors.Join(cp.conn.Close(), cp.probe.Close())
	})
	return err
}
