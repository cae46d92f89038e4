package svn

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/plumbhq/plumb/providers/host"
	"github.com/zclconf/go-cty/cty"
)

func TestSchedule(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	b := func(seq int, kind string, first, last int, age time.Duration) BackupInfo {
		return BackupInfo{Key: backupKey("p/", seq, kind, first, last), Seq: seq, Kind: kind, First: first, Last: last,
			UUID: "u1", Created: now.Add(-age), DumpSHA256: "x"}
	}
	incomplete := b(3, KindFull, 0, 9, time.Hour)
	incomplete.DumpSHA256 = ""
	base := backupSettings{prefix: "p/", interval: day, fullEvery: 3}
	incr := base
	incr.incremental = true
	tests := []struct {
		name     string
		s        backupSettings
		existing []BackupInfo
		youngest int
		uuid     string
		wantNext string // key, or "" for none
		wantDel  []int  // seqs
	}{
		{"first backup", base, nil, 5, "u1", "p/000001-full-r0-5.svndump.age", nil},
		{"nothing new, interval not passed", base, []BackupInfo{b(1, KindFull, 0, 5, time.Hour)}, 5, "u1", "", nil},
		{"interval passed", base, []BackupInfo{b(1, KindFull, 0, 5, 25*time.Hour)}, 5, "u1", "p/000002-full-r0-5.svndump.age", nil},
		{"new revisions, full dumps", base, []BackupInfo{b(1, KindFull, 0, 5, time.Hour)}, 8, "u1", "p/000002-full-r0-8.svndump.age", nil},
		{"new revisions, incremental", incr, []BackupInfo{b(1, KindFull, 0, 5, time.Hour)}, 8, "u1", "p/000002-incremental-r6-8.svndump.age", nil},
		{"full every third", incr, []BackupInfo{b(1, KindFull, 0, 5, 3*time.Hour), b(2, KindIncremental, 6, 8, 2*time.Hour), b(3, KindIncremental, 9, 9, time.Hour)},
			12, "u1", "p/000004-full-r0-12.svndump.age", nil},
		{"interval without new revisions is full", incr, []BackupInfo{b(1, KindFull, 0, 5, 25*time.Hour)}, 5, "u1", "p/000002-full-r0-5.svndump.age", nil},
		{"another repository is full", incr, []BackupInfo{b(1, KindFull, 0, 5, time.Hour)}, 8, "u2", "p/000002-full-r0-8.svndump.age", nil},
		{"repository rolled back is full", incr, []BackupInfo{b(1, KindFull, 0, 5, time.Hour)}, 3, "u1", "p/000002-full-r0-3.svndump.age", nil},
		{"incomplete backups are deleted, and not counted", base, []BackupInfo{b(1, KindFull, 0, 5, 2*time.Hour), b(2, KindFull, 0, 9, time.Hour), incomplete},
			9, "u1", "", []int{3}},
		{"count keeps the newest", withKeep(base, 0, 2), []BackupInfo{b(1, KindFull, 0, 1, 3*day), b(2, KindFull, 0, 2, 2*day), b(3, KindFull, 0, 3, 1*day)},
			4, "u1", "p/000004-full-r0-4.svndump.age", []int{1, 2}},
		{"age", withKeep(base, 36*time.Hour, 0), []BackupInfo{b(1, KindFull, 0, 1, 3*day), b(2, KindFull, 0, 2, 2*day), b(3, KindFull, 0, 3, 20*time.Hour)},
			3, "u1", "", []int{1, 2}},
		{"the newest backup is kept whatever its age", withKeep(base, time.Hour, 1), []BackupInfo{b(1, KindFull, 0, 1, 3*day)},
			1, "u1", "p/000002-full-r0-1.svndump.age", []int{1}},
		{"the newest chain is kept even when old", withKeep(incr, time.Hour, 0), []BackupInfo{b(1, KindFull, 0, 1, 3*day), b(2, KindIncremental, 2, 3, 2*day)},
			4, "u1", "p/000003-incremental-r4-4.svndump.age", nil},
		{"a full is kept while a kept incremental needs it", withKeep(incr, 0, 2), []BackupInfo{b(1, KindFull, 0, 1, 3*day), b(2, KindIncremental, 2, 3, 2*day)},
			4, "u1", "p/000003-incremental-r4-4.svndump.age", nil},
		{"an old chain goes once all of it is past retention", withKeep(incr, 0, 2), []BackupInfo{b(1, KindFull, 0, 1, 5*day), b(2, KindIncremental, 2, 3, 4*day), b(3, KindIncremental, 4, 4, 3*day),
			b(4, KindFull, 0, 5, 2*day), b(5, KindIncremental, 6, 6, day)},
			7, "u1", "p/000006-incremental-r7-7.svndump.age", []int{1, 2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next, dels := schedule(tt.s, tt.existing, tt.youngest, tt.uuid, now)
			gotNext := ""
			if next != nil {
				gotNext = next.Key
				if next.UUID != tt.uuid || !next.Created.Equal(now) {
					t.Errorf("next backup %+v: want UUID %s, created now", next, tt.uuid)
				}
			}
			if gotNext != tt.wantNext {
				t.Errorf("next = %q, want %q", gotNext, tt.wantNext)
			}
			var gotDel []int
			for key := range dels {
				for _, e := range tt.existing {
					if e.Key == key {
						gotDel = append(gotDel, e.Seq)
					}
				}
			}
			sort.Ints(gotDel)
			if fmt.Sprint(gotDel) != fmt.Sprint(tt.wantDel) {
				t.Errorf("deletes = %v, want %v", gotDel, tt.wantDel)
			}
		})
	}
}

func withKeep(s backupSettings, age time.Duration, count int) backupSettings {
	s.keepAge, s.keepCount = age, count
	return s
}

func TestBackupKeys(t *testing.T) {
	tests := []struct {
		prefix, key string
		ok          bool
		seq, first  int
	}{
		{"site/", "site/000001-full-r0-5.svndump.age", true, 1, 0},
		{"site/", "site/001234-incremental-r6-9.svndump.age", true, 1234, 6},
		{"site-", "site-000002-full-r0-5.svndump.age", true, 2, 0},
		{"site/", "site/notes.txt", false, 0, 0},
		{"site/", "site/sub/000001-full-r0-5.svndump.age", false, 0, 0},
		{"site/", "other/000001-full-r0-5.svndump.age", false, 0, 0},
		{"site/", "site/000001-full-r9-5.svndump.age", false, 0, 0},
	}
	for _, tt := range tests {
		b, ok := parseBackupKey(tt.prefix, tt.key)
		if ok != tt.ok || ok && (b.Seq != tt.seq || b.First != tt.first) {
			t.Errorf("parseBackupKey(%q, %q) = %+v, %v", tt.prefix, tt.key, b, ok)
		}
		if ok && backupKey(tt.prefix, b.Seq, b.Kind, b.First, b.Last) != tt.key {
			t.Errorf("backupKey does not give back %q", tt.key)
		}
	}
}

// TestUnchangedBackupAgreesWithSchedule checks the plan's fast path
// against schedule over many histories: it may only say "nothing to do"
// when schedule plans no backup and no delete.
func TestUnchangedBackupAgreesWithSchedule(t *testing.T) {
	r := newBackupResource(&host.Slot{}, nil)
	id := newIdentity(t)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	checked, fast := 0, 0
	for _, count := range []int{0, 1, 2, 4} {
		for _, ageHours := range []int{0, 5, 30} {
			for _, n := range []int{1, 2, 3, 6} {
				for _, newestAge := range []time.Duration{time.Hour, 30 * time.Hour} {
					var bs []BackupInfo
					last := 0
					for i := range n {
						kind, first := KindIncremental, last+1
						if i%3 == 0 {
							kind, first = KindFull, 0
						}
						last += 2
						created := now.Add(-newestAge - time.Duration(n-1-i)*10*time.Hour)
						bs = append(bs, BackupInfo{Key: backupKey("p/", i+1, kind, first, last), Seq: i + 1, Kind: kind, First: first, Last: last,
							DumpSHA256: "h", UUID: "u", Created: created})
					}
					extra := map[string]cty.Value{"prefix": cty.StringVal("p/"), "incremental": cty.True, "full_every": cty.NumberIntVal(3)}
					if count > 0 || ageHours > 0 {
						rr := map[string]cty.Value{"age": cty.NullVal(cty.String), "count": cty.NullVal(cty.Number)}
						if count > 0 {
							rr["count"] = cty.NumberIntVal(int64(count))
						}
						if ageHours > 0 {
							rr["age"] = cty.StringVal(fmt.Sprintf("%dh", ageHours))
						}
						extra["remote_retention"] = cty.ObjectVal(rr)
					}
					config := r.schema.Complete(backupCfg("/srv/svn/x", "b", id, extra))
					m := withComputedNull(backupDefaults(config))
					m["youngest_revision"], m["repository_uuid"], m["backups"] = cty.NumberIntVal(int64(last)), cty.StringVal("u"), backupsValue(bs)
					prior := cty.ObjectVal(m)
					next, dels := schedule(decodeBackup(prior), bs, last, "u", now)
					want := next == nil && len(dels) == 0
					got := unchangedBackup(prior, config, now)
					checked++
					if got {
						fast++
					}
					if got != want {
						t.Errorf("count %d age %dh, %d backups, newest %v old: fast path says unchanged %v, schedule next %v deletes %v",
							count, ageHours, n, newestAge, got, next, dels)
					}
				}
			}
		}
	}
	if fast == 0 || fast == checked {
		t.Errorf("the fast path said unchanged in %d of %d cases; the cases do not cover both answers", fast, checked)
	}
}
