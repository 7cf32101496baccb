// Package statetest holds test doubles for code built on the state owner,
// in the manner of net/http/httptest: a state owner running for the length
// of a test, and a goroutine-safe sink for the JSON log lines workers write,
// with counting helpers for "exactly one line" assertions.
package statetest
