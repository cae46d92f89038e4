locals {
  domain = "example.org"
  hosts  = ["www", "mail"]
}
