resource "plumb_data" "token" {
  input = "t"
  lifecycle {
    postcondition {
      condition     = self.id == "never"
      error_message = "The id is ${self.id}, not never."
    }
  }
}
