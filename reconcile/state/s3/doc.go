// Package s3 keeps plumb's state in an S3 bucket (AWS S3 or any store that
// speaks its API and honours conditional writes), so that a team shares
// one state and two runs can never silently overwrite each other.
//
// # Objects
//
// The state is one object, <key>, in the format of the local state file.
// Beside it, <key>.lock exists while a run holds the state lock and holds
// that run's state.LockInfo as JSON.
//
// # Locking
//
// Lock creates <key>.lock with PutObject and If-None-Match: *, which S3
// performs only if no such object exists, atomically: of two runs that
// try at once exactly one succeeds. The loser reads the lock object to
// name the holder and retries with jittered, doubling backoff until its
// context is done. Unlock deletes the lock object, after checking that it
// still holds this run's lock ID, with If-Match on its ETag (stores that
// ignore a conditional delete, like the kumo emulator, are covered by the
// ID check). ForceUnlock deletes a lock left by a dead run, given its ID.
// Nothing expires a lock by itself: a run killed with SIGKILL leaves its
// lock until someone runs plumb force-unlock with the ID the error names.
//
// # Writes
//
// Read remembers the ETag of the state object it read (or that there was
// none). Every state write is a PutObject with If-Match on that ETag (or
// If-None-Match: * when there was no object), so a run whose lock was
// broken, or that never took one, fails with ErrConflict instead of
// overwriting another run's state. After a successful write the new ETag
// is remembered. A write that fails for any reason (a conflict, the
// network, credentials) does not drop the state: it is saved to
// errored.plumb.state in the working directory (or a numbered name beside
// it, never replacing an earlier one), and the error, a *SaveError, says
// to fix the cause and run plumb state push with that file. Write does
// not stop for a cancelled context: a state abandoned half way would lose
// track of what exists.
//
// # Recording an apply
//
// A Recorder must make every change durable before Set returns, without a
// round trip to S3 per resource. It keeps a local journal: a state.Local
// (with its group-committed, fsynced journal) at
// .plumb/s3-journal/<hash of bucket and key>.state in the working
// directory, flocked by the recorder for its whole life. A background
// goroutine writes the whole state to S3 (If-Match, as above) at most
// every few seconds while changes are waiting, and Close folds the journal
// and writes the final state to S3 the same way, then removes the local
// files. If a flush finds that someone else wrote the state, Set, Remove
// and SetOutputs still record their change locally but return an error
// wrapping ErrConflict, so that the apply stops; Close then saves the
// state to errored.plumb.state.
//
// An upload that got no answer (a timeout, or Close cutting a background
// upload short) may have landed all the same. When the next upload then
// finds the object changed, the recorder looks at the object's write ID:
// if it is that upload's, it builds on it instead of reporting a
// conflict with itself.
//
// Each state object written carries a random write ID in its metadata
// (x-amz-meta-plumb-write-id), and before every upload the recorder notes,
// in a small JSON file beside the journal, the ETag and write ID the
// upload replaces and the write ID it carries. A run killed mid-apply
// leaves the journal and that note. The next Read on the same machine and
// directory folds the journal and compares: if the state in S3 is still
// the one the dead run last saw or wrote, the recovered state is the
// truth, and Read returns it (writing it to S3 first when this Backend
// holds the lock; without it, a Recorder opened on the state returned
// keeps the changes). If another run has written the state since, Read moves
// the recovered state to errored.plumb.state and fails, so that nothing
// is lost and nothing is overwritten.
//
// # Versions
//
// Versioning reports whether the bucket keeps object versions. When it
// does, the error for a state object that does not parse names the
// previous version and how to restore it.
package s3
