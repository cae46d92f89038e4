package state

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// TimeoutError is a deadline that passed, saying what was being done, so
// that no error ends in a bare "context deadline exceeded". It matches
// context.DeadlineExceeded (errors.Is).
type TimeoutError struct {
	// What was being done: "waiting for the state lock".
	What string
	// After is the time allowed.
	After time.Duration
	// Hint says what to do, such as which option allows more time.
	Hint string
}

func (e *TimeoutError) Error() string {
	s := fmt.Sprintf("timed out after %v %s", e.After, e.What)
	if e.Hint != "" {
		s += "; " + e.Hint
	}
	return s
}

// Is makes a TimeoutError match context.DeadlineExceeded.
func (e *TimeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

// WithTimeout is context.WithTimeout whose expiry is a TimeoutError
// naming what, with hint: context.Cause(ctx) returns it.
func WithTimeout(ctx context.Context, d time.Duration, what, hint string) (context.Context, context.CancelFunc) {
	return context.WithTimeoutCause(ctx, d, &TimeoutError{What: what, After: d, Hint: hint})
}

// Why returns why ctx ended, for a message: its TimeoutError when it
// has one, else ctx.Err().
func Why(ctx context.Context) error {
	if cause := context.Cause(ctx); cause != nil {
		return cause
	}
	return ctx.Err()
}

// ExplainTimeout rewrites err, which ends in "context deadline exceeded"
// because ctx expired, to say what timed out. Other errors are returned
// as they are.
func ExplainTimeout(ctx context.Context, err error) error {
	var te *TimeoutError
	if err == nil || !errors.Is(err, context.DeadlineExceeded) || !errors.As(context.Cause(ctx), &te) || errors.As(err, new(*TimeoutError)) {
		return err
	}
	detail := strings.TrimSuffix(strings.TrimSuffix(err.Error(), context.DeadlineExceeded.Error()), ": ")
	if detail == "" {
		return te
	}
	return fmt.Errorf("%w (%s)", te, detail)
}
