resource "plumb_data" "base" { input = "base" }

resource "plumb_data" "derived" { input = "${plumb_data.base.output}-derived" }

resource "plumb_data" "other" { input = "other" }
