//! Enterprises (生产经营单位): the register every check draws from.

use crate::credit_code::CreditCode;
use crate::region::RegionCode;

/// Risk level; drives how often an enterprise is drawn and its default annual check cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    /// 重大风险 (red).
    Major,
    /// 较大风险 (orange).
    High,
    /// 一般风险 (yellow).
    General,
    /// 低风险 (blue).
    Low,
}

/// All risk levels, highest first.
pub const RISK_LEVELS: [RiskLevel; 4] = [RiskLevel::Major, RiskLevel::High, RiskLevel::General, RiskLevel::Low];

impl RiskLevel {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Major => "major",
            Self::High => "high",
            Self::General => "general",
            Self::Low => "low",
        }
    }

    /// Parses the stored name, the English colour, or the Chinese names used in registers.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "major" | "red" | "重大" | "重大风险" | "红" | "红色" => Self::Major,
            "high" | "orange" | "较大" | "较大风险" | "橙" | "橙色" => Self::High,
            "general" | "yellow" | "一般" | "一般风险" | "黄" | "黄色" => Self::General,
            "low" | "blue" | "低" | "低风险" | "蓝" | "蓝色" => Self::Low,
            _ => return None,
        })
    }

    /// The default annual cap on checks when a register gives none. A local rule of thumb
    /// (more visits for higher risk), documented in docs/DOMAIN.md; registers can override it.
    pub fn default_check_cap(self) -> u32 {
        match self {
            Self::Major => 4,
            Self::High => 3,
            Self::General => 2,
            Self::Low => 1,
        }
    }
}

/// Work-safety standardisation grade (安全生产标准化等级).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StandardGrade {
    /// 一级.
    Level1,
    /// 二级.
    Level2,
    /// 三级.
    Level3,
}

impl StandardGrade {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Level1 => "level1",
            Self::Level2 => "level2",
            Self::Level3 => "level3",
        }
    }

    /// Parses the stored name, a digit, or the Chinese grade.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "level1" | "1" | "一级" => Self::Level1,
            "level2" | "2" | "二级" => Self::Level2,
            "level3" | "3" | "三级" => Self::Level3,
            _ => return None,
        })
    }
}

/// Whether a register entry is in business.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegisterStatus {
    /// In business / in service: can be drawn.
    Active,
    /// Closed, deregistered, or out of service: kept for old records, never drawn.
    Inactive,
}

impl RegisterStatus {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Inactive => "inactive",
        }
    }

    /// Parses the stored name or Chinese (在营/正常/停业/注销…); empty means active.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "" | "active" | "在营" | "正常" | "在岗" | "存续" => Self::Active,
            "inactive" | "closed" | "停业" | "注销" | "吊销" | "离岗" | "停用" => Self::Inactive,
            _ => return None,
        })
    }
}

/// A validated enterprise record, not yet saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEnterprise {
    /// The key users quote.
    pub credit_code: CreditCode,
    /// Registered name.
    pub name: String,
    /// Region it is registered in.
    pub region: RegionCode,
    /// Industry sector code (reference data).
    pub sector: String,
    /// Risk level.
    pub risk: RiskLevel,
    /// Standardisation grade, if any.
    pub standard_grade: Option<StandardGrade>,
    /// Annual cap on checks.
    pub annual_check_cap: u32,
    /// Address.
    pub address: String,
    /// In business or not.
    pub status: RegisterStatus,
}

/// A saved enterprise.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Enterprise {
    /// Application-generated id (UUIDv7).
    pub id: String,
    /// Optimistic-concurrency version, +1 on every change.
    pub version: i64,
    /// Unified social credit code.
    pub credit_code: String,
    /// Registered name.
    pub name: String,
    /// Region code.
    pub region_code: String,
    /// Sector code.
    pub sector: String,
    /// Risk level.
    pub risk_level: RiskLevel,
    /// Standardisation grade.
    pub standard_grade: Option<StandardGrade>,
    /// Annual check cap.
    pub annual_check_cap: i64,
    /// Address.
    pub address: String,
    /// Status.
    pub status: RegisterStatus,
    /// Last change, ms since the epoch (UTC).
    pub updated_at_ms: i64,
}
