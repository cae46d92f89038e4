//go:build !linux

package svn

import "os"

// growPipe does nothing where pipes cannot be grown (macOS): the pipe
// works as it is.
func growPipe(*os.File) {}
