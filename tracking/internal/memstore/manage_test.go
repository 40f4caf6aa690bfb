package memstore_test

import (
	"testing"

	"github.com/grove-ml/grove/tracking/internal/memstore"
	"github.com/grove-ml/grove/tracking/internal/storetest"
)

func TestManager(t *testing.T) { storetest.Manager(t, memstore.New()) }
