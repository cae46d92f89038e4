package host

import (
	"context"
	"io/fs"
)

// Unreachable returns a host on which every operation fails with err:
// what a provider holds when its host could not be reached, so nothing
// it is asked to do lands on another machine by mistake.
func Unreachable(err error) Host { return unreachable{err} }

type unreachable struct{ err error }

var _ Host = unreachable{}

func (u unreachable) String() string                                         { return "an unreachable host" }
func (u unreachable) Close() error                                           { return nil }
func (u unreachable) Open(context.Context, string) (File, error)             { return nil, u.err }
func (u unreachable) Stat(context.Context, string) (fs.FileInfo, error)      { return nil, u.err }
func (u unreachable) Lstat(context.Context, string) (fs.FileInfo, error)     { return nil, u.err }
func (u unreachable) ReadDir(context.Context, string) ([]fs.FileInfo, error) { return nil, u.err }
func (u unreachable) RealPath(context.Context, string) (string, error)       { return "", u.err }
func (u unreachable) Access(context.Context, string, uint32) error           { return u.err }
func (u unreachable) Create(context.Context, string, WriteOptions) (Pending, error) {
	return nil, u.err
}
func (u unreachable) Rename(context.Context, string, string) error { return u.err }
func (u unreachable) Remove(context.Context, string) error         { return u.err }
func (u unreachable) Lock(context.Context, string) (func(), error) { return nil, u.err }
func (u unreachable) Run(context.Context, Cmd) error               { return u.err }
