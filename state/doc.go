// Package state owns the one canonical State value of the pipeline and the
// goroutine that holds it.
//
// Nobody else holds a pointer into the state. Writers send typed updates
// (SetEstimate, SetIMU, SetFrame, ...) which the owner applies in order and
// acknowledges; readers get snapshots, either on request (Snapshot) or by a
// subscription that always holds the latest value and never blocks the owner
// (a slow subscriber misses intermediate values; it never stalls anyone).
//
// The package also holds the vocabulary every worker shares (Pointing,
// ImuSample, FrameMeta, SolveEvent, Estimate), so that workers exchange
// values of state's types. They still use each other where data flows from
// one to the next: the solver reads camera frames from camera's Handoff,
// the integrator takes the solver's events, and the workers that pace
// themselves use power's Pacer; nothing imports a worker that runs after it.
//
// When the owner goroutine ends for any reason (its context is cancelled, it
// returns an error, it panics), every later call returns at once with the
// cause, which wraps ErrOwnerGone. Nothing blocks forever on a dead owner:
// this is the failure mode of the Python version's shared-state manager,
// made impossible by construction.
package state
