// Package lang holds the functions that plumb's configuration language
// offers to expressions, and the evaluation scope that carries them.
//
// The function table matches Terraform's in name and behaviour, so that
// people who know Terraform are at home: the cty standard library (numbers,
// strings, collections, sets, type conversion, dates, CSV and JSON), the
// hashing and base64 functions, can and try, and plumb's own functions for
// files (file, filebase64, fileexists, fileset, templatefile, zonefile), paths
// (abspath, basename, dirname, pathexpand) and networks (cidrhost,
// cidrsubnet, cidrnetmask, cidrcontains). Relative paths are resolved
// against the configuration directory handed to Functions, never against
// the process's working directory.
//
// Two Terraform functions are left out on purpose: timestamp and uuid. They
// return a new value on every call, so a configuration using them would
// never plan clean, and a saved plan could not be reproduced. A plan must
// depend only on the configuration, the variables and the state.
//
// For the same reason, the file functions read each file at most once per
// function table: file, filebase64 and templatefile cache what they read,
// so every evaluation in one run sees the same contents, and evaluating a
// template for 10,000 resources parses it once.
//
// Every function returns an unknown value when one of its arguments is
// unknown (or contains unknown elements where the answer depends on them),
// so configuration can be evaluated during planning before every value is
// known.
package lang
