//! The demo's deterministic generator and the tables of names it draws from.

pub(super) const UPCOMING_ACTIVITIES: usize = 60;

/// Deterministic generator (splitmix64): same seed, same district.
pub(super) struct Rng(pub(super) u64);

impl Rng {
    pub(super) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub(super) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub(super) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    pub(super) fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    pub(super) fn uuid(&mut self) -> String {
        let (a, b) = (self.next(), self.next());
        let bytes: Vec<u8> = a.to_be_bytes().into_iter().chain(b.to_be_bytes()).collect();
        uuid::Builder::from_random_bytes(bytes.try_into().unwrap_or([0; 16]))
            .into_uuid()
            .to_string()
    }
}

pub(super) const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏",
];
pub(super) const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "霞", "平", "刚", "桂英", "华", "玉兰", "建国", "红", "建华", "文", "辉", "丹",
    "萍", "鹏", "宇", "浩", "欣怡", "子涵", "梓萱", "一诺", "雨桐", "俊杰", "志强", "淑珍", "国华",
    "晓燕", "海燕", "春梅", "立新", "德明", "永红", "佳怡",
];
pub(super) const STREETS: &[&str] = &[
    "东城", "西园", "南湖", "北关", "新华", "长安", "青石", "河畔",
];
pub(super) const COMMUNITIES: &[&str] = &[
    "幸福里",
    "和平",
    "光明",
    "朝阳",
    "锦绣",
    "枫林",
    "桃源",
    "春晖",
    "建设",
    "民主",
];
pub(super) const POINTS: &[&str] = &["车棚议事点", "睦邻点", "书香角", "便民服务点"];
pub(super) const CAUSES: &[(&str, &str)] = &[
    ("敬老助残", "陪伴老人、上门助餐、助残出行"),
    ("环境保护", "垃圾分类指导、河道清洁、植树护绿"),
    ("文化宣传", "文艺演出、读书会、非遗传承"),
    ("医疗卫生", "义诊、健康讲座、疫苗接种引导"),
    ("应急救援", "防汛值守、消防演练、疫情防控"),
    ("理论宣讲", "政策宣讲进小区、百姓宣讲团"),
    ("法律服务", "法律咨询、反诈宣传、矛盾调解"),
    ("关爱儿童", "四点半课堂、留守儿童陪伴"),
    ("文明交通", "路口劝导、护学岗"),
    ("邻里互助", "居民议事、物品共享、便民维修"),
];
pub(super) const ACTIVITIES: &[&str] = &[
    "敬老院陪伴服务",
    "社区环境清洁日",
    "垃圾分类宣传",
    "反诈知识讲座",
    "居民议事会",
    "广场文艺汇演",
    "义诊进社区",
    "防汛应急演练",
    "关爱留守儿童",
    "文明交通劝导",
    "理论宣讲进小区",
    "消防安全检查",
];

pub(super) fn name(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN))
}
