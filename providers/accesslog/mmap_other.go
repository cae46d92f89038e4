//go:build !linux

package accesslog

import "context"

// mapped is not used where plumb does not map files; files are read.
type mapped struct{}

func mapSource(context.Context, Source) (*mapped, bool) { return nil, false }

func (m *mapped) send(context.Context, int, func(*chunk) error) error { return nil }

func (m *mapped) size() int64 { return 0 }

func (m *mapped) close() {}
