package dns

import "slices"

// Changes are what turns one zone's existing record sets into the desired
// ones, by name and type: sets to create, to update in place (new TTL or
// values) and to delete, each in Sort order.
type Changes struct {
	Create []Record
	Update []Record
	// UpdateFrom holds the existing version of each set in Update, in the
	// same order (Route 53 deletes by exact match; a plan shows before and
	// after).
	UpdateFrom []Record
	Delete     []Record
}

// Empty reports whether there is nothing to change.
func (c Changes) Empty() bool { return c.Count() == 0 }

// Count returns the number of record sets created, updated and deleted.
func (c Changes) Count() int { return len(c.Create) + len(c.Update) + len(c.Delete) }

// Diff compares existing and desired record sets by name and type. Both
// must be normalised and hold each name and type once (as the zone reader,
// FromListValue and Normalize give them); neither is changed. Input in
// Sort order is compared in one pass without copying; other input is
// sorted first.
func Diff(existing, desired []Record) Changes {
	var c Changes
	// The sets both lists start with, with the same keys in Sort order:
	// all of them when no set was added or removed.
	p := 0
	for p < len(existing) && p < len(desired) && sameKey(existing[p], desired[p]) &&
		(p == 0 || compareRecords(existing[p-1], existing[p]) < 0) {
		c.pair(existing[p], desired[p])
		p++
	}
	if p == len(existing) && p == len(desired) {
		return c
	}
	e, d := sorted(existing[p:]), sorted(desired[p:])
	if p > 0 && (len(e) > 0 && compareRecords(existing[p-1], e[0]) > 0 || len(d) > 0 && compareRecords(desired[p-1], d[0]) > 0) {
		// The lists were out of order: start again on sorted copies.
		c = Changes{}
		e, d = sorted(existing), sorted(desired)
	}
	c.merge(e, d)
	return c
}

// merge adds the changes between two lists in Sort order.
func (c *Changes) merge(existing, desired []Record) {
	i, j := 0, 0
	for i < len(existing) && j < len(desired) {
		e, d := existing[i], desired[j]
		order := 0
		if !sameKey(e, d) {
			order = compareRecords(e, d)
		}
		switch {
		case order < 0:
			c.Delete = append(c.Delete, e)
			i++
		case order > 0:
			c.Create = append(c.Create, d)
			j++
		default:
			c.pair(e, d)
			i++
			j++
		}
	}
	c.Delete = append(c.Delete, existing[i:]...)
	c.Create = append(c.Create, desired[j:]...)
}

// pair adds an update when two sets of the same key differ.
func (c *Changes) pair(e, d Record) {
	if e.TTL != d.TTL || !slices.Equal(e.Values, d.Values) {
		c.Update = append(c.Update, d)
		c.UpdateFrom = append(c.UpdateFrom, e)
	}
}

func sameKey(a, b Record) bool { return a.Name == b.Name && a.Type == b.Type }

// sorted returns rs if it is in Sort order, else a sorted copy.
func sorted(rs []Record) []Record {
	if slices.IsSortedFunc(rs, compareRecords) {
		return rs
	}
	rs = slices.Clone(rs)
	Sort(rs)
	return rs
}
