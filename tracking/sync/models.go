package sync

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/grove-ml/grove/tracking/store"
)

// copyModels copies the logged models the source run produced, with their
// files, and links them to the copy as its outputs. A model the copy
// already has (by grove.sync.source_model_id) is completed, not created
// again.
func (s *syncer) copyModels(ctx context.Context, c *runCopy) error {
	have := map[string]*store.LoggedModel{}
	// Models of an adopted run that its program logged before the server
	// went away, by name: each is taken as the copy of the source model of
	// that name rather than left beside a second one.
	own := map[string][]*store.LoggedModel{}
	if !c.fresh {
		for _, o := range c.dst.Outputs.Models {
			m, err := s.dst.GetLoggedModel(ctx, o.ModelID)
			if err != nil {
				return fmt.Errorf("sync: logged model %s of the copy %s: %w", o.ModelID, c.dst.Info.RunID, err)
			}
			if v, ok := tagOf(m.Tags, TagSourceModelID); ok {
				have[v] = m
			} else if _, adopted := c.src.Tag(TagContinuesRunID); adopted {
				own[m.Name] = append(own[m.Name], m)
			}
		}
	}
	for _, o := range c.src.Outputs.Models {
		sm, err := s.src.GetLoggedModel(ctx, o.ModelID)
		if err != nil {
			return fmt.Errorf("sync: logged model %s of run %s: %w", o.ModelID, c.src.Info.RunID, err)
		}
		c.modelMetrics[sm.ModelID] = sm.Metrics
		dm := have[sm.ModelID]
		claimed := false
		if dm == nil && len(own[sm.Name]) > 0 {
			dm, own[sm.Name], claimed = own[sm.Name][0], own[sm.Name][1:], true
			if s.dstMgr != nil {
				if err := s.dstMgr.SetLoggedModelTags(ctx, dm.ModelID, []store.Tag{{Key: TagSourceModelID, Value: sm.ModelID}}); err != nil {
					return fmt.Errorf("sync: tag logged model %s as the copy of %s: %w", dm.ModelID, sm.ModelID, err)
				}
			}
		}
		if dm == nil {
			if dm, err = s.createModel(ctx, c, sm, o.Step); err != nil {
				return err
			}
		}
		c.models[sm.ModelID] = dm.ModelID
		if dm.Status == sm.Status && !claimed {
			continue // finalized only after its files were copied
		}
		// A claimed model gets every file of the source's, so that the two
		// hold the same bytes whatever its first upload left.
		n, err := s.copyTree(ctx, sm.ArtifactLocation, dm.ArtifactLocation, dm.Status == store.ModelPending && !c.fresh && !claimed)
		if err != nil {
			return fmt.Errorf("sync: files of logged model %s of run %s: %w", sm.ModelID, c.src.Info.RunID, err)
		}
		c.bytes += n
		status := sm.Status
		if status == store.ModelPending || status == dm.Status {
			// A model the source never finalized stays pending; its copy
			// has every file the source has.
			continue
		}
		if _, err := s.dst.FinalizeLoggedModel(ctx, dm.ModelID, status); err != nil {
			return fmt.Errorf("sync: finalize the copy %s of logged model %s: %w", dm.ModelID, sm.ModelID, err)
		}
		s.add(func(m *Summary) { m.Models++ })
	}
	return nil
}

// createModel creates the copy of a source model and links it to the run's
// copy as an output at step.
func (s *syncer) createModel(ctx context.Context, c *runCopy, sm *store.LoggedModel, step int64) (*store.LoggedModel, error) {
	tags := []store.Tag{{Key: TagSourceModelID, Value: sm.ModelID}}
	for _, t := range sm.Tags {
		if t.Key != TagSourceModelID {
			tags = append(tags, t)
		}
	}
	dm, err := s.dst.CreateLoggedModel(ctx, store.CreateLoggedModelRequest{
		ExperimentID: c.dst.Info.ExperimentID,
		Name:         sm.Name,
		ModelType:    sm.ModelType,
		SourceRunID:  c.dst.Info.RunID,
		Params:       sm.Params,
		Tags:         tags,
	})
	if err != nil {
		return nil, fmt.Errorf("sync: create the copy of logged model %s: %w", sm.ModelID, err)
	}
	if err := s.dst.LogOutputs(ctx, c.dst.Info.RunID, []store.ModelIO{{ModelID: dm.ModelID, Step: step}}); err != nil {
		return nil, fmt.Errorf("sync: link the copy %s of logged model %s to run %s: %w", dm.ModelID, sm.ModelID, c.dst.Info.RunID, err)
	}
	return dm, nil
}

func tagOf(tags []store.Tag, key string) (string, bool) {
	for _, t := range tags {
		if t.Key == key {
			return t.Value, true
		}
	}
	return "", false
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
