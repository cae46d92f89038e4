resource "plumb_data" "zone" {
  input = { name = "example.org", ttl = 300 }
}
