#!/usr/bin/env python3
"""Seeds for the quant fuzz target that reach the membrane stage (page and
label mask, frame rules), the comb (a blank tooth) and a strip packed with
bands: an 8-bit figure crop on a white page and a 16-bit photograph on a
black surround. Standard library only; make_corpus.sh runs it.
Usage: make_page_seeds.py OUT_DIR"""
import struct, sys, zlib

def png(path, w, h, rows, depth):
    def chunk(t, d):
        return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
    raw = bytearray()
    for r in rows:
        raw.append(0)
        if depth == 8:
            raw += bytes(r)
        else:
            for v in r:
                raw += struct.pack('>H', v)
    data = (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, depth, 0, 0, 0, 0))
            + chunk(b'IDAT', zlib.compress(bytes(raw), 9)) + chunk(b'IEND', b''))
    open(path, 'wb').write(data)
    return len(data)

class Rng:
    def __init__(self, s): self.s = s
    def __call__(self, n):
        self.s = (self.s * 1103515245 + 12345) & 0xffffffff
        return (self.s >> 16) % n

def fill(img, x0, y0, x1, y1, v):
    for y in range(y0, y1 + 1):
        for x in range(x0, x1 + 1):
            img[y][x] = v

def figure8(path):
    """8-bit figure crop: white page, two framed grey strips with dark bands
    (7 lanes on a regular comb, lane 4 left blank in both; the first strip
    with one band row, the second packed with three), black label blobs left of and above the
    strips (kDa numbers, lane labels)."""
    w, h = 176, 120
    img = [[255] * w for _ in range(h)]
    rng = Rng(7)
    strips = [(34, 16, 166, 54), (34, 64, 166, 108)]
    for si, (x0, y0, x1, y1) in enumerate(strips):
        for y in range(y0, y1 + 1):
            for x in range(x0, x1 + 1):
                img[y][x] = 196 + rng(9)
        fill(img, x0, y0, x1, y0, 60); fill(img, x0, y1, x1, y1, 60)
        fill(img, x0, y0, x0, y1, 60); fill(img, x1, y0, x1, y1, 60)
        for l in range(7):
            lx = x0 + 6 + 18 * l
            if l == 3:
                continue  # a tooth of the comb left blank in both strips
            if si == 0:
                rowsy = [(y0 + y1) // 2]
            else:
                rowsy = [y0 + 9, y0 + 20, y0 + 32]
            for k, cy in enumerate(rowsy):
                dark = 40 + 12 * ((l + k) % 4)
                for y in range(cy - 3, cy + 4):
                    for x in range(lx, lx + 13):
                        edge = (y in (cy - 3, cy + 3)) or x in (lx, lx + 12)
                        img[y][x] = min(img[y][x], dark + (50 if edge else 0))
        # kDa labels left of the strip: small black blobs
        for k in range(3):
            ly = y0 + 5 + 11 * k
            fill(img, 6, ly, 14, ly + 4, 0)
            fill(img, 17, ly, 24, ly + 4, 0)
            fill(img, 27, ly + 1, 29, ly + 3, 0)  # tick
    for l in range(7):  # lane labels above the first strip
        lx = 34 + 8 + 18 * l
        fill(img, lx, 5, lx + 6, 11, 0)
    fill(img, 70, 113, 130, 116, 0)  # a caption line under the figure
    return png(path, w, h, img, 8)

def surround16(path):
    """16-bit photograph of a blot on a black surround: a light membrane
    (not quite to the edges, tilted corner notch) with dark bands in 6 lanes,
    a ladder lane of thin bands, and the black tray around it."""
    w, h = 128, 96
    img = [[0] * w for _ in range(h)]
    rng = Rng(11)
    x0, y0, x1, y1 = 14, 12, 115, 85
    for y in range(y0, y1 + 1):
        for x in range(x0, x1 + 1):
            img[y][x] = 42000 + 64 * rng(16)
    for (cx, cy) in ((x0, y0), (x1, y1)):  # cut corners
        for d in range(6):
            for e in range(6 - d):
                img[cy + (d if cy == y0 else -d)][cx + (e if cx == x0 else -e)] = 0
    for l in range(7):
        lx = x0 + 5 + 14 * l
        if l == 0:  # ladder
            for cy in range(y0 + 8, y1 - 4, 9):
                fill(img, lx, cy, lx + 9, cy + 1, 12000)
            continue
        amp = 30000 - 4000 * l
        for cy in (y0 + 22, y0 + 50):
            for y in range(cy - 3, cy + 4):
                for x in range(lx, lx + 10):
                    img[y][x] = max(0, img[y][x] - amp + 5000 * abs(y - cy) // 3)
    return png(path, w, h, img, 16)

out = sys.argv[1]
figure8(out + '/figure_page_framed_strips_labels.png')
surround16(out + '/black_surround_16bit.png')
