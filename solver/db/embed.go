package db

import (
	_ "embed"
	"fmt"
	"sync"
)

//go:generate go run ./gen build --catalog ../../../shared/catalog/hip8.csv --fov-min 8 --fov-max 23 --epoch 2026.0 -o default.db

//go:embed default.db
var defaultBytes []byte

// DefaultBytes returns the embedded default database file (read-only).
func DefaultBytes() []byte { return defaultBytes }

var (
	defaultOnce sync.Once
	defaultDB   *DB
	defaultErr  error
)

// Default decodes the embedded default database once and returns it.
func Default() (*DB, error) {
	defaultOnce.Do(func() {
		defaultDB, defaultErr = Decode(defaultBytes)
		if defaultErr != nil {
			defaultErr = fmt.Errorf("embedded default database: %w", defaultErr)
		}
	})
	return defaultDB, defaultErr
}
