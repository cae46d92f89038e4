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
// FromListValue and Normalize give them); neither is changed. Sorted input
// (Sort order) is merged without copying.
func Diff(existing, desired []Record) Changes {
	existing, desired = sorted(existing), sorted(desired)
	var c Changes
	i, j := 0, 0
	for i < len(existing) && j < len(desired) {
		e, d := existing[i], desired[j]
		switch cmp := compareRecords(e, d); {
		case cmp < 0:
			c.Delete = append(c.Delete, e)
			i++
		case cmp > 0:
			c.Create = append(c.Create, d)
			j++
		default:
			if e.TTL != d.TTL || !slices.Equal(e.Values, d.Values) {
				c.Update = append(c.Update, d)
				c.UpdateFrom = append(c.UpdateFrom, e)
			}
			i++
			j++
		}
	}
	c.Delete = append(c.Delete, existing[i:]...)
	c.Create = append(c.Create, desired[j:]...)
	return c
}

// sorted returns rs if it is in Sort order, else a sorted copy.
func sorted(rs []Record) []Record {
	if slices.IsSortedFunc(rs, compareRecords) {
		return rs
	}
	rs = slices.Clone(rs)
	Sort(rs)
	return rs
}
