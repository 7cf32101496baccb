package db

import (
	"testing"

	"go.uber.org/goleak"
)

// Build runs workers; none may outlive it.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
