locals {
  pages = {
    home  = "site/index.html"
    about = "site/about.html"
  }
}

import {
  for_each = local.pages
  to       = local_file.page[each.key]
  id       = each.value
}

resource "local_file" "page" {
  for_each = local.pages
  filename = each.value
  content  = "<h1>${each.key}</h1>\n"
}
