// Package lang holds the functions that plumb's configuration language
// offers to expressions, and the evaluation scope that carries them.
//
// The function table matches Terraform's in name and behaviour, so that
// people who know Terraform are at home: the cty standard library (numbers,
// strings, collections, sets, type conversion, dates, CSV and JSON), YAML,
// the hashing, base64, URL and character-set encodings, bcrypt and uuidv5,
// sensitive, nonsensitive and issensitive, can and try, and plumb's own
// functions for files (file, filebase64, the file digests, fileexists,
// fileset, templatefile, zonefile), templates (templatestring), paths
// (abspath, basename, dirname, pathexpand), networks (cidrhost,
// cidrsubnet, cidrsubnets, cidrnetmask, cidrcontains) and time (formatdate,
// timeadd, timecmp, plantimestamp). Every function can also be called as
// core::NAME. Relative paths are resolved against the configuration
// directory handed to Functions, never against the process's working
// directory.
//
// Two Terraform functions are left out on purpose: timestamp and uuid. They
// return a new value on every call, so a configuration using them would
// never plan clean, and a saved plan could not be reproduced. A plan must
// depend only on the configuration, the variables and the state.
// plantimestamp is the exception that proves the rule: it is fixed for a
// plan and the apply of that plan. bcrypt's salt is random, as a password
// hash needs; Terraform users keep its result under ignore_changes.
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
