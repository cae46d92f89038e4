resource "plumb_data" "old" { input = "kept" }

resource "plumb_data" "listed" {
  count = 2
  input = "item ${count.index}"
}
