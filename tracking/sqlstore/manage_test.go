package sqlstore

import (
	"testing"

	"github.com/grove-ml/grove/tracking/internal/storetest"
)

func TestManager(t *testing.T) { storetest.Manager(t, newStore(t)) }
