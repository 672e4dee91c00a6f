package bitsim

// Contract exposes the harness's client-contract check to the external
// tests (harness_test.go), which pin its bounds at their edges.
var Contract = contract
