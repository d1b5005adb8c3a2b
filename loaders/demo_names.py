"""Vocabulary for the demo market generator (:mod:`loaders.demo`): cities, districts, names.

Plain data only: Chinese place names with their administrative codes and telephone area
codes, surnames and given-name characters with pinyin (for e-mail local parts), trade-name
characters, industry words per procurement category, road and building names. Nothing here
is random; :mod:`loaders.demo` draws from these lists with its seeded generator.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class City:
    name: str  # without 市
    province: str  # with 省 / 自治区
    pinyin: str
    abbrev: str  # tender id prefix
    area_code: str  # telephone area code with the leading 0
    districts: tuple[tuple[str, str], ...]  # (name, 6-digit admin code); urban districts first
    isp_prefixes: tuple[str, ...]  # first two octets of local ISP blocks


CITIES: tuple[City, ...] = (
    City("贵阳", "贵州省", "guiyang", "GY", "0851",
         (("南明区", "520102"), ("云岩区", "520103"), ("观山湖区", "520115"), ("花溪区", "520111"),
          ("乌当区", "520112"), ("白云区", "520113"), ("清镇市", "520181"), ("修文县", "520123"),
          ("开阳县", "520121"), ("息烽县", "520122")),
         ("58.42", "58.16", "222.85", "117.187", "111.121", "221.13")),
    City("昆明", "云南省", "kunming", "KM", "0871",
         (("五华区", "530102"), ("盘龙区", "530103"), ("官渡区", "530111"), ("西山区", "530112"),
          ("呈贡区", "530114"), ("晋宁区", "530115"), ("安宁市", "530181"), ("东川区", "530113"),
          ("嵩明县", "530127"), ("宜良县", "530125"), ("富民县", "530124"), ("寻甸回族彝族自治县", "530129")),
         ("116.52", "116.55", "182.247", "112.112", "183.224", "14.204")),
    City("南宁", "广西壮族自治区", "nanning", "NN", "0771",
         (("青秀区", "450103"), ("兴宁区", "450102"), ("西乡塘区", "450107"), ("江南区", "450105"),
          ("良庆区", "450108"), ("邕宁区", "450109"), ("武鸣区", "450110"), ("宾阳县", "450126"),
          ("横州市", "450181"), ("上林县", "450125"), ("马山县", "450124"), ("隆安县", "450123")),
         ("113.15", "116.1", "171.108", "222.216", "180.136", "36.136")),
    City("兰州", "甘肃省", "lanzhou", "LZ", "0931",
         (("城关区", "620102"), ("七里河区", "620103"), ("安宁区", "620105"), ("西固区", "620104"),
          ("红古区", "620111"), ("榆中县", "620123"), ("皋兰县", "620122"), ("永登县", "620121")),
         ("61.178", "118.180", "42.89", "120.84", "123.206", "221.7")),
)

SURNAMES: tuple[tuple[str, str, float], ...] = (
    ("王", "wang", 7.1), ("李", "li", 7.0), ("张", "zhang", 6.7), ("刘", "liu", 5.4), ("陈", "chen", 4.5),
    ("杨", "yang", 3.1), ("黄", "huang", 2.2), ("赵", "zhao", 2.0), ("吴", "wu", 1.8), ("周", "zhou", 1.7),
    ("徐", "xu", 1.3), ("孙", "sun", 1.2), ("马", "ma", 1.1), ("朱", "zhu", 1.1), ("胡", "hu", 1.0),
    ("郭", "guo", 1.0), ("何", "he", 0.9), ("林", "lin", 0.9), ("罗", "luo", 0.9), ("高", "gao", 0.9),
    ("郑", "zheng", 0.8), ("梁", "liang", 0.7), ("谢", "xie", 0.6), ("宋", "song", 0.6), ("唐", "tang", 0.6),
    ("许", "xu", 0.5), ("邓", "deng", 0.5), ("韩", "han", 0.5), ("冯", "feng", 0.5), ("曹", "cao", 0.5),
    ("彭", "peng", 0.5), ("曾", "zeng", 0.4), ("肖", "xiao", 0.4), ("田", "tian", 0.4), ("董", "dong", 0.4),
    ("潘", "pan", 0.3), ("袁", "yuan", 0.3), ("蔡", "cai", 0.3), ("蒋", "jiang", 0.3), ("余", "yu", 0.3),
    ("于", "yu", 0.3), ("杜", "du", 0.3), ("叶", "ye", 0.3), ("程", "cheng", 0.3), ("魏", "wei", 0.3),
    ("苏", "su", 0.3), ("吕", "lv", 0.3), ("丁", "ding", 0.3), ("任", "ren", 0.3), ("卢", "lu", 0.2),
    ("姚", "yao", 0.2), ("沈", "shen", 0.2), ("钟", "zhong", 0.2), ("姜", "jiang", 0.2), ("崔", "cui", 0.2),
    ("谭", "tan", 0.2), ("陆", "lu", 0.2), ("范", "fan", 0.2), ("汪", "wang", 0.2), ("廖", "liao", 0.2),
    ("石", "shi", 0.2), ("金", "jin", 0.2), ("韦", "wei", 0.2), ("贾", "jia", 0.2), ("夏", "xia", 0.2),
    ("龙", "long", 0.15), ("安", "an", 0.1), ("付", "fu", 0.15), ("班", "ban", 0.05), ("雷", "lei", 0.15),
)

GIVEN_CHARS: tuple[tuple[str, str], ...] = (
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"), ("强", "qiang"),
    ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"), ("艳", "yan"), ("杰", "jie"), ("娟", "juan"),
    ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("秀", "xiu"), ("霞", "xia"), ("平", "ping"), ("刚", "gang"),
    ("桂", "gui"), ("英", "ying"), ("华", "hua"), ("文", "wen"), ("辉", "hui"), ("建", "jian"), ("国", "guo"),
    ("红", "hong"), ("玲", "ling"), ("斌", "bin"), ("鹏", "peng"), ("宇", "yu"), ("浩", "hao"), ("凯", "kai"),
    ("晨", "chen"), ("欣", "xin"), ("婷", "ting"), ("雪", "xue"), ("琳", "lin"), ("波", "bo"), ("健", "jian"),
    ("志", "zhi"), ("春", "chun"), ("海", "hai"), ("云", "yun"), ("峰", "feng"), ("兰", "lan"), ("德", "de"),
    ("林", "lin"), ("成", "cheng"), ("飞", "fei"), ("亮", "liang"), ("光", "guang"), ("荣", "rong"),
    ("玉", "yu"), ("萍", "ping"), ("慧", "hui"), ("佳", "jia"), ("俊", "jun"), ("梅", "mei"), ("兵", "bing"),
    ("鑫", "xin"), ("帅", "shuai"), ("倩", "qian"), ("旭", "xu"), ("昊", "hao"), ("丹", "dan"), ("阳", "yang"),
)

TRADE_CHARS: tuple[tuple[str, str], ...] = (
    ("宏", "hong"), ("远", "yuan"), ("鑫", "xin"), ("泰", "tai"), ("华", "hua"), ("盛", "sheng"), ("恒", "heng"),
    ("达", "da"), ("兴", "xing"), ("隆", "long"), ("博", "bo"), ("瑞", "rui"), ("金", "jin"), ("通", "tong"),
    ("建", "jian"), ("丰", "feng"), ("源", "yuan"), ("德", "de"), ("信", "xin"), ("诚", "cheng"), ("安", "an"),
    ("顺", "shun"), ("昌", "chang"), ("明", "ming"), ("海", "hai"), ("天", "tian"), ("正", "zheng"),
    ("元", "yuan"), ("新", "xin"), ("力", "li"), ("宇", "yu"), ("航", "hang"), ("嘉", "jia"), ("利", "li"),
    ("凯", "kai"), ("晟", "sheng"), ("浩", "hao"), ("腾", "teng"), ("峰", "feng"), ("辉", "hui"), ("鼎", "ding"),
    ("振", "zhen"), ("佳", "jia"), ("永", "yong"), ("富", "fu"), ("祥", "xiang"), ("云", "yun"), ("中", "zhong"),
    ("润", "run"), ("森", "sen"), ("锦", "jin"), ("宁", "ning"), ("合", "he"), ("众", "zhong"), ("联", "lian"),
    ("创", "chuang"), ("科", "ke"), ("百", "bai"), ("汇", "hui"), ("广", "guang"), ("阳", "yang"), ("光", "guang"),
    ("坤", "kun"), ("星", "xing"), ("启", "qi"), ("益", "yi"), ("同", "tong"), ("和", "he"), ("方", "fang"),
)

# category -> ((zh industry word, en industry word), ...)
INDUSTRY_WORDS: dict[str, tuple[tuple[str, str], ...]] = {
    "construction": (("建筑工程", "Construction Engineering"), ("建设工程", "Construction"),
                     ("建工", "Construction Works")),
    "road_works": (("路桥工程", "Road and Bridge Engineering"), ("公路工程", "Highway Engineering")),
    "water_works": (("水利水电工程", "Water Conservancy Engineering"), ("给排水工程", "Water Supply Engineering")),
    "renovation": (("装饰工程", "Decoration Engineering"), ("建筑装饰", "Architectural Decoration")),
    "landscaping": (("园林绿化工程", "Landscaping Engineering"), ("园林景观", "Landscape")),
    "it_services": (("信息技术", "Information Technology"), ("科技", "Technology"), ("软件", "Software")),
    "medical_supplies": (("医疗器械", "Medical Instruments"), ("医药", "Pharmaceutical")),
    "medical_equipment": (("医疗设备", "Medical Equipment"), ("医疗科技", "Medical Technology")),
    "school_meals": (("餐饮管理", "Catering Management"), ("农产品配送", "Agricultural Products Distribution")),
    "cleaning": (("物业管理", "Property Management"), ("保洁服务", "Cleaning Services"),
                 ("环境卫生服务", "Sanitation Services")),
    "consulting": (("工程咨询", "Engineering Consulting"), ("工程造价咨询", "Cost Consulting"),
                   ("项目管理", "Project Management")),
    "surveying": (("测绘", "Surveying and Mapping"), ("勘察设计", "Survey and Design")),
    "office_supplies": (("商贸", "Trading"), ("办公设备", "Office Equipment")),
    "security_services": (("保安服务", "Security Services"),),
    "elevator_maintenance": (("电梯工程", "Elevator Engineering"), ("电梯", "Elevator")),
    "medical_gas": (("医用气体工程", "Medical Gas Engineering"),),
    "fire_protection": (("消防工程", "Fire Protection Engineering"), ("消防科技", "Fire Technology")),
}

ROADS: tuple[str, ...] = (
    "人民路", "中山路", "解放路", "北京路", "延安路", "建设路", "文化路", "新华路", "长江路", "黄河路",
    "金阳南路", "林城路", "宝山北路", "遵义路", "花溪大道", "沙冲路", "市府路", "富水路", "民生路", "环城北路",
    "长岭南路", "兴业路", "友谊路", "朝阳路", "东风大道", "滨河路", "科技路", "创业大道", "南湖路", "学府路",
    "青年路", "龙泉路", "小河大道", "都司路", "公园路", "体育路", "瑞金路", "太慈路", "浦江路", "五一路",
    "迎宾大道", "清溪路", "翠微巷", "枫林路", "和平路", "幸福路", "望城路", "东山路", "西林路", "经开大道",
)

BUILDINGS: tuple[str, ...] = (
    "国际金融中心", "世纪城", "财富广场", "中天广场", "时代大厦", "恒大中心", "富力中心", "未来方舟", "万达广场",
    "海天大厦", "龙湾国际", "汇金大厦", "科技园", "创业大厦", "银海元隆广场", "数博大厦", "华润大厦", "星河国际",
)

COMPOUNDS: tuple[str, ...] = (
    "阳光花园", "金色家园", "翠湖小区", "幸福里", "锦绣苑", "滨江花园", "碧桂园", "保利公园", "金域蓝湾",
    "紫荆苑", "香樟苑", "龙湖春江", "书香门第", "和平小区", "铁路小区", "教育小区", "桂花园", "新城花园",
)

TITLE_PLACES: tuple[str, ...] = (
    "第一中学", "实验小学", "人民医院", "中医院", "妇幼保健院", "社区卫生服务中心", "政务服务中心", "档案馆",
    "图书馆", "体育中心", "职业技术学校", "第三幼儿园", "疾控中心", "文化馆", "第二小学", "民族中学",
)

RELATIONS: tuple[str, ...] = ("spouse", "son", "daughter", "brother", "sister", "father", "mother",
                              "brother_in_law", "sister_in_law", "cousin")
SAME_SURNAME_RELATIONS = frozenset({"son", "daughter", "brother", "sister", "father"})

EMAIL_DOMAINS: tuple[str, ...] = ("163.com", "126.com", "qq.com", "sina.com", "139.com", "foxmail.com")
MOBILE_PREFIXES: tuple[str, ...] = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "157",
    "158", "159", "177", "180", "181", "182", "185", "186", "187", "188", "189", "199",
)
