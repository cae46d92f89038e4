variable "n" {
  type    = number
  default = "seven"
}
