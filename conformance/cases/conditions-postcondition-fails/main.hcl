resource "plumb_data" "name" {
  input = "WWW"
  lifecycle {
    postcondition {
      condition     = lower(self.output) == self.output
      error_message = "Names are lower case; got ${self.output}."
    }
  }
}
