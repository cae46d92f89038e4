variable "sites" {
  type = map(object({
    port    = optional(number, 443)
    tls     = optional(bool, true)
    aliases = optional(list(string), [])
    owner   = optional(string)
  }))
  default = {
    www = {}
    api = { port = 8443, aliases = ["api2"] }
  }
}

variable "region" {
  type     = string
  default  = "eu-west-1"
  nullable = false
}

output "sites" { value = var.sites }
output "region" { value = var.region }
