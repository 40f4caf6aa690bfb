package sqlstore

import (
	"context"
	"time"

	"github.com/grove-ml/grove/tracking/sqlstore/internal/lite"
	"github.com/grove-ml/grove/tracking/store"
)

// A batch of metric points alone, with no params, tags or model ids, is
// what a training loop logs over and over. It is written on a lite
// connection of its own rather than through database/sql, whose driver
// converts, copies and locks for each of the six values of every point:
// about a tenth of the time of a 10,000-point batch. Every other write goes
// through database/sql (Store.write); both kinds queue on Store.wmu.

// onlyPoints reports whether a batch holds metric points alone.
func onlyPoints(metrics []store.Metric, params []store.Param, tags []store.Tag) bool {
	if len(params) > 0 || len(tags) > 0 {
		return false
	}
	for _, m := range metrics {
		if m.ModelID != "" {
			return false
		}
	}
	return true
}

// writePoints logs metric points to an active run in one transaction,
// retried as Store.write retries.
func (s *Store) writePoints(ctx context.Context, runID string, metrics []store.Metric) error {
	var err error
	for attempt := range 4 {
		err = s.writePointsOnce(ctx, runID, metrics)
		if err == nil || !isBusy(err) || ctx.Err() != nil {
			return err
		}
		time.Sleep(time.Duration(10<<attempt) * time.Millisecond)
	}
	return err
}

func (s *Store) writePointsOnce(ctx context.Context, runID string, metrics []store.Metric) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if s.closed {
		return errClosed
	}
	s.ckpt.beforeWrite()
	if s.pointWriter == nil {
		// As the driver's connections (dsn): foreign keys, WAL's
		// synchronous setting, no checkpoints in commits.
		c, err := lite.Open(s.path, busyTimeout, "foreign_keys = 1", "synchronous = NORMAL",
			"cache_size = -32768", "temp_store = 2", "wal_autocheckpoint = 0")
		if err != nil {
			return err
		}
		s.pointWriter = c
	}
	c := s.pointWriter
	err := c.Tx(ctx, "BEGIN IMMEDIATE", true, func() error { return pointsTx(c, runID, metrics) })
	if c.InTransaction() {
		// A connection stuck in a transaction would hold the write lock:
		// drop it, the next write opens another.
		c.Close()
		s.pointWriter = nil
	}
	if err == nil {
		s.ckpt.committed()
	}
	return err
}

// pointsTx is the body of writePoints's transaction.
func pointsTx(c *lite.Conn, runID string, metrics []store.Metric) error {
	found, lifecycle := false, ""
	err := c.Query(`SELECT lifecycle_stage FROM runs WHERE run_uuid = ?`, []any{runID}, func(st *lite.Stmt) error {
		found, lifecycle = true, st.Text(0)
		return nil
	})
	if err != nil {
		return err
	}
	if !found {
		return store.Errorf(store.CodeNotFound, "no run with id %s", runID)
	}
	if err := checkActive(runID, lifecycle); err != nil {
		return err
	}
	return logPoints(func(q string, args []any) error { return c.Query(q, args, nil) }, runID, metrics)
}
