resource "plumb_data" "new" { input = "kept" }

moved {
  from = plumb_data.old
  to   = plumb_data.new
}

resource "plumb_data" "keyed" {
  for_each = { first = 0, second = 1 }
  input    = "item ${each.value}"
}

moved {
  from = plumb_data.listed[0]
  to   = plumb_data.keyed["first"]
}

moved {
  from = plumb_data.listed[1]
  to   = plumb_data.keyed["second"]
}
