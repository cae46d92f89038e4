//go:build race

package aws

// ebsRaceSlowdown scales time limits: the race detector makes the code
// under test several times slower.
const ebsRaceSlowdown = 10
