package ec2shim

// rootDevice is the root device name of every AMI the shim registers.
const rootDevice = "/dev/xvda"

// imageMatches reports whether im passes every filter.
func imageMatches(fs []filter, im *Image) bool {
	for _, f := range fs {
		var ok bool
		switch f.name {
		case "image-id":
			ok = f.match(im.ID)
		case "name":
			ok = f.match(im.Name)
		case "block-device-mapping.snapshot-id":
			ok = f.match(im.SnapshotID)
		case "state":
			ok = f.match("available")
		}
		if !ok {
			return false
		}
	}
	return true
}

// describeImages serves DescribeImages for the AMIs registered with
// RegisterImage, all owned by the shim's account.
func (s *Shim) describeImages(c *call) {
	fs, ok := c.filters("image-id", "name", "block-device-mapping.snapshot-id", "state")
	if !ok {
		return
	}
	pg, ok := c.paging(1000)
	if !ok {
		return
	}
	ids := listOf(c.form, "ImageId")
	for _, id := range ids {
		if !c.wellFormedID(id, "ami-", "InvalidAMIID.Malformed") {
			return
		}
	}
	owners := ownersOf(c.form)
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &s.store
	candidates := st.imgIDs.sorted()
	if len(ids) > 0 {
		for _, id := range ids {
			if st.imageIn(id, c.region) == nil {
				c.invalid("InvalidAMIID.NotFound", "The image id '["+id+"]' does not exist")
				return
			}
		}
		candidates = sortedUnique(ids)
	}
	pageIDs, next := pg.scan(candidates, func(id string) bool {
		im := st.imageIn(id, c.region)
		return im != nil && (owners == nil || owners[Account]) && imageMatches(fs, im)
	})
	c.reply(func(x *xmlw) {
		x.open("imagesSet")
		for _, id := range pageIDs {
			writeImage(x, st.images[id], st.snaps[st.images[id].SnapshotID])
		}
		x.close("imagesSet")
		if next != "" {
			x.text("nextToken", next)
		}
	})
}

func writeImage(x *xmlw, im *Image, sn *Snapshot) {
	x.open("item")
	x.text("imageId", im.ID)
	x.text("imageLocation", Account+"/"+im.Name)
	x.text("imageState", "available")
	x.text("imageOwnerId", Account)
	x.time("creationDate", im.Created)
	x.bool("isPublic", false)
	x.text("architecture", "x86_64")
	x.text("imageType", "machine")
	x.text("name", im.Name)
	x.text("rootDeviceType", "ebs")
	x.text("rootDeviceName", rootDevice)
	x.open("blockDeviceMapping")
	x.open("item")
	x.text("deviceName", rootDevice)
	x.open("ebs")
	x.text("snapshotId", im.SnapshotID)
	if sn != nil {
		x.int("volumeSize", int64(sn.VolumeSize))
	}
	x.bool("deleteOnTermination", true)
	x.text("volumeType", "gp3")
	x.close("ebs")
	x.close("item")
	x.close("blockDeviceMapping")
	x.text("virtualizationType", "hvm")
	x.text("hypervisor", "xen")
	x.close("item")
}
