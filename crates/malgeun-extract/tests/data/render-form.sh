#!/usr/bin/env bash
# Renders form.png, the Korean form page of the OCR tests: A4 at 150 dpi, 8-bit grayscale,
# NanumGothic (Debian fonts-nanum), ImageMagick `convert`. Run it here to re-create the file.
set -euo pipefail
font=/usr/share/fonts/truetype/nanum/NanumGothic.ttf
bold=/usr/share/fonts/truetype/nanum/NanumGothicBold.ttf
convert -size 1240x1754 xc:white -fill black \
    -font "$bold" -pointsize 44 -annotate +380+170 '관리비 부과 내역서' \
    -font "$font" -pointsize 28 \
    -annotate +120+260 '단지명: 맑은아파트    부과월: 2026년 10월' \
    -stroke black -strokewidth 2 -fill none -draw 'rectangle 110,310 1130,830' \
    -draw 'line 110,380 1130,380' -draw 'line 700,310 700,830' -stroke none -fill black \
    -annotate +140+358 '항목' -annotate +740+358 '금액 (원)' \
    -annotate +140+440 '일반관리비' -annotate +740+440 '3,250,000' \
    -annotate +140+520 '청소비' -annotate +740+520 '1,120,000' \
    -annotate +140+600 '경비비' -annotate +740+600 '2,480,000' \
    -annotate +140+680 '승강기유지비' -annotate +740+680 '640,000' \
    -annotate +140+760 '장기수선충당금' -annotate +740+760 '5,300,000' \
    -annotate +120+920 '위와 같이 관리비를 부과합니다.' \
    -annotate +120+990 '관리사무소장 김관리' \
    -type Grayscale -depth 8 -define png:color-type=0 -define png:bit-depth=8 \
    -define png:exclude-chunks=date,time form.png
