resource "plumb_data" "seed" { input = 2 }
resource "plumb_data" "x" {
  count = length(plumb_data.seed.id)
  input = count.index
}
